"""Downloader middlewares for politeness and honesty.

``CrawlDelayMiddleware``  applies robots.txt ``Crawl-delay`` per download slot (Scrapy parses robots.txt
                          but ignores Crawl-delay, scrapy issue #892) and honours ``Retry-After`` on 429 /
                          503 with exponential backoff, so a busy server gets longer and longer pauses.
``BlockedSiteMiddleware`` notices that a site refuses us (401 / 403 / 451, challenge pages) and stops
                          the site's crawl with the close reason ``blocked``: the site is reported as
                          blocked, never evaded (no User-Agent rotation, no proxies, no retries).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timezone
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)


class Blocked(IgnoreRequest):
    """The site answered with a refusal or a bot challenge."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class CrawlDelayMiddleware:
    """Per-slot minimum delays from robots.txt Crawl-delay and from Retry-After / backoff.

    Settings (read once): ``SKINAUDIT_MAX_CRAWL_DELAY`` (cap on a robots.txt Crawl-delay, seconds),
    ``SKINAUDIT_MAX_RETRY_AFTER`` (a longer Retry-After is not waited for: the page is an error),
    ``SKINAUDIT_BACKOFF_BASE`` (first backoff when a 429 / 503 has no Retry-After; doubles per retry),
    ``USER_AGENT`` / ``ROBOTSTXT_USER_AGENT`` (whose Crawl-delay applies), ``DOWNLOAD_DELAY_JITTER`` (kept above a floor).
    Stats: ``skinaudit/politeness/crawl_delay`` (the largest applied), ``skinaudit/politeness/retry_after``.
    """

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_crawl_delay = settings.getfloat("SKINAUDIT_MAX_CRAWL_DELAY", 30.0)
        self.max_retry_after = settings.getfloat("SKINAUDIT_MAX_RETRY_AFTER", 120.0)
        self.backoff_base = settings.getfloat("SKINAUDIT_BACKOFF_BASE", 1.0)
        self.jitter = settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self.crawl_delays: dict[str, float] = {}
        self.backoffs: dict[str, float] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _slot_key(self, request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def floor(self, key: str) -> float:
        return max(self.crawl_delays.get(key, 0.0), self.backoffs.get(key, 0.0))

    def _enforce(self, key: str) -> None:
        slot = self.crawler.engine.downloader.slots.get(key)
        floor = self.floor(key)
        if slot is None or not floor:
            return
        if slot.delay < floor:
            slot.delay = floor
        # Scrapy waits delay × (1 ± jitter): a floor is the shortest wait allowed, so the jitter
        # may only reach down to it (none at all when the delay is the floor itself)
        slot.jitter = min(self.jitter, 1 - floor / slot.delay)

    def _robots_parsed(self, robotparser, request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            key = self._slot_key(request)
            self.crawl_delays[key] = min(float(delay), self.max_crawl_delay)
            stats = self.crawler.stats
            stats.max_value("skinaudit/politeness/crawl_delay", self.crawl_delays[key])
            logger.info("robots.txt Crawl-delay for %s: %.2fs", key, self.crawl_delays[key])

    def _response_downloaded(self, response, request, spider=None) -> None:
        # Runs after AutoThrottle's own handler: it may have lowered the slot delay below the floor.
        self._enforce(self._slot_key(request))

    def process_request(self, request, spider=None):
        self._enforce(self._slot_key(request))
        return None

    def process_response(self, request, response, spider=None):
        key = self._slot_key(request)
        if response.status not in (429, 503):
            if response.status < 400 and key in self.backoffs:
                del self.backoffs[key]
                slot = self.crawler.engine.downloader.slots.get(key)
                if slot is not None:
                    slot.delay = max(self.floor(key), self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
            return response
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is None:
            wait = self.backoff_base * 2 ** request.meta.get("retry_times", 0)
        if wait > self.max_retry_after:
            request.meta["dont_retry"] = True
            logger.warning("%s asks us to come back in %.0fs: giving up on %s", key, wait, request.url)
            return response
        self.backoffs[key] = max(self.backoffs.get(key, 0.0), wait)
        self.crawler.stats.inc_value("skinaudit/politeness/retry_after")
        self._enforce(key)
        return response


# -- blocked sites ----------------------------------------------------------------------------

#: Statuses that refuse us outright.
REFUSAL_STATUSES = frozenset({401, 403, 451})
#: Bot-challenge pages of the common CDNs and WAFs (checked in the first 20 kB).
CHALLENGE_RE = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required! \| cloudflare|access denied|security check|"
    rb"please verify you are a human|ddos-guard)\s*</title>|/cdn-cgi/challenge-platform/|id=\"challenge-form\"|"
    rb"_incapsula_resource|px-captcha|captcha-delivery\.com|sucuri website firewall",
    re.I,
)


class BlockedSiteMiddleware:
    """Refusals and challenges become ``Blocked`` errors; enough of them close the site's crawl as blocked.

    Settings: ``SKINAUDIT_BLOCKED_AFTER`` (refusals before the site counts as blocked, when they are
    at least half of its responses so far). Stats: ``skinaudit/blocked/responses``,
    ``skinaudit/blocked/site`` (1 when the crawl was stopped).
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.threshold = crawler.settings.getint("SKINAUDIT_BLOCKED_AFTER", 3)
        self.responses = 0
        self.refusals = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def is_refusal(response) -> bool:
        if response.status in REFUSAL_STATUSES:
            return True
        if (response.headers.get("cf-mitigated") or b"").lower() == b"challenge":
            return True
        return response.status in (200, 403, 429, 503) and bool(CHALLENGE_RE.search(response.body[:20000]))

    def process_response(self, request, response, spider=None):
        self.responses += 1
        if not self.is_refusal(response):
            return response
        self.refusals += 1
        stats = self.crawler.stats
        stats.inc_value("skinaudit/blocked/responses")
        if not self.closing and self.refusals >= self.threshold and self.refusals * 2 >= self.responses:
            self.closing = True
            stats.set_value("skinaudit/blocked/site", 1)
            logger.warning("%s refuses us (%d of %d responses): stopping, reported as blocked",
                           request.url, self.refusals, self.responses)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="blocked"))
        raise Blocked(f"HTTP {response.status}: the site refuses or challenges us")


__all__ = ["Blocked", "BlockedSiteMiddleware", "CrawlDelayMiddleware", "retry_after_seconds"]
