"""Distributed crawling on scrapy-redis: several ``skinaudit crawl --redis …`` workers, on one or
many machines, share each site's frontier, dupefilter and politeness in one Redis.

``use_redis(settings, url)`` (called by ``crawler.runner.project_settings``) switches a crawl to:

``SharedScheduler``     scrapy-redis's scheduler (priority queue + RFPDupeFilter in Redis, kept
                        between workers: ``SCHEDULER_PERSIST``) that also *holds* every request it
                        hands out until the spider has handled it. A pop moves the request from the
                        queue to the worker's in-flight hash in one Lua script, so a worker killed
                        with SIGKILL loses nothing: once its heartbeat is ``SKINAUDIT_REDIS_DEAD_AFTER``
                        seconds old, any other worker puts its held requests back in the queue.
``SharedFrontierMiddleware`` (spider) only the first worker of a crawl (the *seeder*) pushes the
                        start requests of the sites file; the others start from the shared queue.
                        A request is released from the in-flight hash once everything its response
                        produced is safe: items through the pipelines, follow-up requests queued.
``SharedPolitenessHandler`` (download handler) one per-domain clock in Redis: right before sending a
                        request a worker takes the domain's turn, or sleeps until the domain is free
                        and tries again (Redis server time, so machine clocks do not matter). The domain's delay (``DOWNLOAD_DELAY``,
                        the site's ``delay``, robots.txt Crawl-delay, Retry-After backoff: whatever the
                        local download slot holds) is thus kept across all workers together, not
                        divided among them.
``SharedCrawlExtension`` heartbeats, recovery of dead workers' requests, and the end of the crawl:
                        a worker ends once the queue is empty, no live worker holds a request, and
                        that has lasted ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds. The last worker out
                        deletes the dupefilter, so the next scheduled crawl starts afresh.

Redis keys (``<spider>`` is ``blog:<site name>``)::

    skinaudit:<spider>:requests           sorted set   the frontier (scrapy-redis PriorityQueue)
    skinaudit:<spider>:dupefilter         set          request fingerprints seen this crawl
    skinaudit:<spider>:workers            sorted set   worker id -> last heartbeat (ms, Redis time)
    skinaudit:<spider>:inflight:<worker>  hash         token -> "score|request" held by a worker
    skinaudit:<spider>:seeded             string       the worker that pushed the start requests
    skinaudit:polite:<domain>             string       the domain's next free moment (ms, Redis time)
    skinaudit:run:<sites hash>            string       the store run id the workers share
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
import weakref
from typing import Any

from itemadapter import is_item
from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

PREFIX = "skinaudit"
TOKEN = "skinaudit_inflight"  # request.meta key: (in-flight hash key, token) of a held request
PARENT = "skinaudit_parent"  # request.meta key: the held request whose response yielded this one

#: Settings a distributed crawl runs with (merged over the project's by ``use_redis``).
REDIS_SETTINGS = {
    "SCHEDULER": "crawler.distributed.SharedScheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
    "SCHEDULER_QUEUE_KEY": f"{PREFIX}:%(spider)s:requests",
    "SCHEDULER_DUPEFILTER_KEY": f"{PREFIX}:%(spider)s:dupefilter",
    "SCHEDULER_PERSIST": True,  # the queue and dupefilter outlive any one worker
    "SCHEDULER_FLUSH_ON_START": False,
    # Seconds the frontier must stay empty, with nothing in flight anywhere, before a worker ends.
    "MAX_IDLE_TIME_BEFORE_CLOSE": 10,
    # Seconds between a worker's heartbeats, and after which a silent worker counts as dead.
    "SKINAUDIT_REDIS_HEARTBEAT": 5.0,
    "SKINAUDIT_REDIS_DEAD_AFTER": 30.0,
    # Requests a worker takes from the shared queue ahead of its downloads (per site); 0: twice
    # CONCURRENT_REQUESTS_PER_DOMAIN. More would drain the frontier into one worker's local queue
    # while the politeness delay keeps it from fetching them, and leave the other workers idle.
    "SKINAUDIT_REDIS_PREFETCH": 0,
    # Seconds between looks at the shared queue while this worker is idle and others work.
    "SKINAUDIT_REDIS_POLL": 0.5,
    # Write-through store: a held request is released when its items have been through the
    # pipelines, so they must be in the store by then, not in the StorePipeline's batch.
    "SKINAUDIT_STORE_BATCH": 1,
}
COMPONENTS = {
    "SPIDER_MIDDLEWARES": {"crawler.distributed.SharedFrontierMiddleware": 5},  # outermost: sees the end
    "DOWNLOAD_HANDLERS": {"http": "crawler.distributed.SharedPolitenessHandler",
                          "https": "crawler.distributed.SharedPolitenessHandler"},
    "EXTENSIONS": {"crawler.distributed.SharedCrawlExtension": 500},
}


def use_redis(settings, redis_url: str) -> None:
    """Switch ``settings`` (a Scrapy ``Settings``) to the shared frontier in ``redis_url``."""
    for key, value in REDIS_SETTINGS.items():
        if settings.getpriority(key) is None or settings.getpriority(key) < 40:  # below "cmdline" overrides
            settings.set(key, value, "cmdline")
    settings.set("REDIS_URL", redis_url, "cmdline")
    for key, components in COMPONENTS.items():
        settings.set(key, {**settings.getdict(key), **components}, "cmdline")
    settings.set("JOBDIR", None, "cmdline")  # the frontier is in Redis


def worker_id() -> str:
    """Host, pid and a random suffix: unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# -- Lua: every step that touches several keys is one atomic script ----------------------------

# Shared by the scripts below: Redis's clock in ms, and putting a worker's held requests back.
_LUA_COMMON = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function requeue(held, queue)
  local n = 0
  for _, v in ipairs(redis.call('HVALS', held)) do
    local bar = string.find(v, '|', 1, true)
    if bar then  -- (the seeding marker has no request in it)
      redis.call('ZADD', queue, tonumber(string.sub(v, 1, bar - 1)), string.sub(v, bar + 1))
      n = n + 1
    end
  end
  redis.call('DEL', held)
  return n
end
local function recover(workers, queue, prefix, dead_ms)
  local recovered = 0
  for _, w in ipairs(redis.call('ZRANGEBYSCORE', workers, '-inf', now - dead_ms)) do
    recovered = recovered + requeue(prefix .. w, queue)
    redis.call('ZREM', workers, w)
  end
  return recovered
end
"""

# KEYS: workers, queue, seeded, dupefilter. ARGV: me, dead_ms, inflight prefix, mode.
# join: recover, start a new crawl if nobody is left and the queue is empty, register, try to seed
#       (the seeder holds a "seeding" marker until its start requests are all queued).
# beat: recover, register. idle: recover, drop own holds, register, count what is still busy.
# leave: unregister, put own holds back (a worker stopped early); the last one out of an empty
#        frontier ends the crawl.
_LUA_MEMBERSHIP = _LUA_COMMON + """
local workers, queue, seeded, dupefilter = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local me, dead_ms, prefix, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local recovered = recover(workers, queue, prefix, dead_ms)
if mode == 'leave' then
  redis.call('ZREM', workers, me)
  recovered = recovered + requeue(prefix .. me, queue)
  if redis.call('ZCARD', workers) == 0 and redis.call('ZCARD', queue) == 0 then
    redis.call('DEL', seeded, dupefilter)
    return {recovered, 1}
  end
  return {recovered, 0}
end
if mode == 'join' then
  local fresh = 0
  if redis.call('ZCARD', workers) == 0 and redis.call('ZCARD', queue) == 0 then
    redis.call('DEL', seeded, dupefilter)
    fresh = 1
  end
  redis.call('ZADD', workers, now, me)
  local seeder = 0
  if redis.call('SET', seeded, me, 'NX') then
    seeder = 1
    redis.call('HSET', prefix .. me, 'seeding', '1')
  end
  return {recovered, fresh, seeder}
end
if mode == 'idle' then redis.call('DEL', prefix .. me) end
redis.call('ZADD', workers, now, me)
local busy = redis.call('ZCARD', queue)
for _, w in ipairs(redis.call('ZRANGE', workers, 0, -1)) do
  busy = busy + redis.call('HLEN', prefix .. w)
end
return {recovered, busy}
"""

# KEYS: queue, own in-flight hash. ARGV: token. Pop the best request and hold it, atomically.
_LUA_POP = """
local got = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', KEYS[1], got[1])
redis.call('HSET', KEYS[2], ARGV[1], got[2] .. '|' .. got[1])
return got[1]
"""

# KEYS: the domain's clock. ARGV: delay_ms. Take the domain's turn if it is free now (return 0 and
# set the next free moment), else return the ms until it is free (the caller sleeps and tries again:
# the turn goes to whoever is ready to send, so a worker busy elsewhere does not bunch requests).
_LUA_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free > now then return free - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return 0
"""


class Frontier:
    """One worker's view of a site's shared frontier: membership, holds, recovery, politeness."""

    def __init__(self, server, spider_name: str, queue, dupefilter_key: str, settings) -> None:
        self.server = server
        self.queue = queue
        self.me = worker_id()
        base = f"{PREFIX}:{spider_name}"
        self.workers_key, self.seeded_key, self.dupefilter_key = f"{base}:workers", f"{base}:seeded", dupefilter_key
        self.inflight_prefix = f"{base}:inflight:"
        self.inflight_key = self.inflight_prefix + self.me
        self.dead_ms = int(settings.getfloat("SKINAUDIT_REDIS_DEAD_AFTER", 30.0) * 1000)
        self.seeder = False
        # token of a held request -> [outputs of its response not yet stored or queued, all yielded?]
        self.pending: dict[str, list] = {}
        self._membership = server.register_script(_LUA_MEMBERSHIP)
        self._pop = server.register_script(_LUA_POP)
        self._turn = server.register_script(_LUA_TURN)

    def _call(self, mode: str) -> list[int]:
        keys = [self.workers_key, self.queue.key, self.seeded_key, self.dupefilter_key]
        return [int(x) for x in self._membership(keys=keys, args=[self.me, self.dead_ms, self.inflight_prefix, mode])]

    def join(self) -> None:
        recovered, fresh, seeder = self._call("join")
        self.seeder = bool(seeder)
        logger.info("shared frontier %s: joined as %s (%s crawl, %s; %d requests recovered from dead workers)",
                    self.queue.key, self.me, "new" if fresh else "running",
                    "seeding the start URLs" if self.seeder else "not seeding", recovered)

    def beat(self) -> int:
        return self._call("beat")[0]

    def idle(self) -> tuple[int, int]:
        """(requests recovered, requests queued or held by live workers) when this worker is idle."""
        recovered, busy = self._call("idle")
        return recovered, busy

    def leave(self) -> bool:
        """Unregister; True when this worker ended the crawl (the frontier was empty)."""
        return bool(self._call("leave")[1])

    def pop(self):
        token = uuid.uuid4().hex
        data = self._pop(keys=[self.queue.key, self.inflight_key], args=[token])
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta[TOKEN] = (self.inflight_key, token)
        return request

    def seeded(self) -> None:
        """The seeder's start requests are all in the queue."""
        self.server.hdel(self.inflight_key, "seeding")

    # A held request is released once everything its response produced is safe: every item has
    # been through the pipelines (item_scraped / item_dropped / item_error) and every follow-up
    # request is in the shared queue (SharedScheduler.enqueue_request). Scrapy consumes a
    # callback's output ahead of processing it, so the end of the output is not enough.

    def expect(self, held: tuple[str, str]) -> None:
        self.pending.setdefault(held[1], [0, False, held])[0] += 1

    def yielded_all(self, held: tuple[str, str]) -> None:
        self.pending.setdefault(held[1], [0, False, held])[1] = True
        self.settle(held[1], 0)

    def settle(self, token: str | None, n: int = 1) -> None:
        entry = self.pending.get(token) if token else None
        if entry is None:
            return
        entry[0] -= n
        if entry[1] and entry[0] <= 0:
            del self.pending[token]
            self.server.hdel(*entry[2])

    def turn(self, domain: str, delay: float) -> float:
        """0 when this worker may send to ``domain`` now (the next turn is ``delay`` away), else
        the seconds until the domain is free again."""
        return int(self._turn(keys=[f"{PREFIX}:polite:{domain}"], args=[int(delay * 1000)])) / 1000


_FRONTIERS: "weakref.WeakKeyDictionary[Any, Frontier]" = weakref.WeakKeyDictionary()


def frontier_of(crawler) -> Frontier | None:
    return _FRONTIERS.get(crawler)


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, plus holding handed-out requests until they are handled."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.prefetch = (settings.getint("SKINAUDIT_REDIS_PREFETCH")
                              or 2 * max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")))
        return scheduler

    def open(self, spider):
        super().open(spider)
        self.frontier = Frontier(self.server, spider.name, self.queue, self.df.key, self.crawler.settings)
        _FRONTIERS[self.crawler] = self.frontier
        self.frontier.join()

    def enqueue_request(self, request) -> bool:
        held = request.meta.pop(TOKEN, None)  # a redirect or a retry of a held request
        parent = request.meta.pop(PARENT, None)  # a request found on a held request's response
        queued = super().enqueue_request(request)
        if held:
            self.server.hdel(*held)  # only now: the follow-up is safe in the queue
        self.frontier.settle(parent)
        return queued

    def next_request(self):
        if len(self.crawler.engine.downloader.active) >= self.prefetch:
            return None  # leave the rest in the shared queue for the other workers
        request = self.frontier.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason):
        if self.frontier.leave():
            logger.info("shared frontier %s: last worker out, crawl ended", self.queue.key)
        return super().close(reason)


class SharedFrontierMiddleware:
    """Spider middleware: only the seeder yields the start requests; handled requests are released.

    Stats: ``skinaudit/distributed/seeder`` (1 on the worker that seeded).
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_settled, signal=signal)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        frontier = frontier_of(self.crawler)
        if frontier is not None and not frontier.seeder:
            return  # the seeder's start requests are in the shared queue already
        self.crawler.stats.set_value("skinaudit/distributed/seeder", 1)
        async for item_or_request in start:
            yield item_or_request
        if frontier is not None:
            frontier.seeded()

    def _held(self, response):
        frontier = frontier_of(self.crawler)
        request = getattr(response, "request", None)
        held = request.meta.get(TOKEN) if request is not None else None
        return (frontier, held) if frontier is not None and held else (None, None)

    def _mark(self, frontier, held, output) -> None:
        if isinstance(output, Request):
            output.meta[PARENT] = held[1]
            frontier.expect(held)
        elif is_item(output):
            frontier.expect(held)

    def process_spider_output(self, response, result):
        frontier, held = self._held(response)
        if frontier is None:
            yield from result
            return
        try:
            for output in result:
                self._mark(frontier, held, output)
                yield output
        finally:
            frontier.yielded_all(held)

    async def process_spider_output_async(self, response, result):
        frontier, held = self._held(response)
        try:
            async for output in result:
                if frontier is not None:
                    self._mark(frontier, held, output)
                yield output
        finally:
            if frontier is not None:
                frontier.yielded_all(held)

    def item_settled(self, item, response, spider=None, **_kwargs) -> None:
        frontier, held = self._held(response)
        if frontier is not None:
            frontier.settle(held[1])


class SharedPolitenessHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, after waiting for the domain's turn across all workers.

    It waits at the last moment, once Scrapy's own download slot has let the request go, so what
    is spaced is the moment requests are sent. The spacing is the slot's delay (``DOWNLOAD_DELAY``
    or the site's ``delay``, raised by robots.txt Crawl-delay, Retry-After and AutoThrottle); the
    download timeout starts after the wait. Stats: ``skinaudit/distributed/polite_wait`` (seconds
    waited for other workers' requests to the same domain).
    """

    async def download_request(self, request):
        crawler = self._crawler
        frontier = frontier_of(crawler)
        downloader = crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        delay = max(slot.delay if slot is not None else 0.0, crawler.settings.getfloat("DOWNLOAD_DELAY"))
        if frontier is not None and delay > 0:
            while (wait := frontier.turn(key, delay)) > 0:
                from twisted.internet import reactor, task  # (the crawl's reactor is installed by now)

                crawler.stats.inc_value("skinaudit/distributed/polite_wait", wait)
                await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return await super().download_request(request)


class SharedCrawlExtension:
    """Heartbeats, recovery of dead workers' requests, and ending when the whole crawl is done.

    Settings: ``SKINAUDIT_REDIS_HEARTBEAT``, ``SKINAUDIT_REDIS_DEAD_AFTER``, ``MAX_IDLE_TIME_BEFORE_CLOSE``.
    Stats: ``skinaudit/distributed/recovered`` (requests taken back from dead workers).
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.heartbeat = crawler.settings.getfloat("SKINAUDIT_REDIS_HEARTBEAT", 5.0)
        self.poll = crawler.settings.getfloat("SKINAUDIT_REDIS_POLL", 0.5)
        self.max_idle = crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 10.0)
        self.idle_since: float | None = None
        self.call = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.working, signal=signals.response_received)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _recovered(self, n: int) -> None:
        if n:
            self.crawler.stats.inc_value("skinaudit/distributed/recovered", n)
            logger.warning("took back %d requests held by a dead worker", n)

    def opened(self, spider) -> None:
        from twisted.internet.task import LoopingCall

        self.call = LoopingCall(self.beat)
        self.call.start(self.heartbeat, now=False)

    def beat(self) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is not None:
            self._recovered(frontier.beat())

    def working(self, response, request, spider=None) -> None:
        self.idle_since = None

    def idle(self, spider) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is None:
            return
        recovered, busy = frontier.idle()
        self._recovered(recovered)
        if busy:
            self.idle_since = None
        else:
            self.idle_since = self.idle_since or time.monotonic()
            if time.monotonic() - self.idle_since >= self.max_idle:
                return  # the spider closes
        from twisted.internet import reactor

        reactor.callLater(self.poll, self.wake)  # Scrapy alone would look again in 5 s
        raise DontCloseSpider

    def wake(self) -> None:
        """Have the engine look at the shared queue now (the call Scrapy makes when a request is added)."""
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def closed(self, spider, reason) -> None:
        if self.call is not None and self.call.running:
            self.call.stop()


# -- one store run for all the workers of a crawl ------------------------------------------------


def run_key(site_names: list[str]) -> str:
    return f"{PREFIX}:run:" + hashlib.sha256("\n".join(sorted(site_names)).encode()).hexdigest()[:16]


def join_run(redis_url: str, run_id: int, site_names: list[str]) -> int:
    """The store run id that every worker of this crawl writes under (the first worker's).

    Pages then carry one ``last_seen_run``, so a worker that finishes the crawl marks as gone only
    what no worker saw. Each worker's own run row still records its own share of the counts.
    """
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        key = run_key(site_names)
        client.set(key, run_id, nx=True)
        return int(client.get(key))
    finally:
        client.close()


def leave_run(redis_url: str, site_names: list[str], spider_names: list[str]) -> None:
    """The last worker of the crawl forgets the shared run id, so the next crawl gets a new one."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        if not any(client.zcard(f"{PREFIX}:{name}:workers") for name in spider_names):
            client.delete(run_key(site_names))
    finally:
        client.close()
