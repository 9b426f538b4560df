# Scrapy settings for the skinaudit crawler
#
# For simplicity, this file contains only settings considered important or
# commonly used. You can find more settings consulting the documentation:
#
#     https://docs.scrapy.org/en/latest/topics/settings.html
#     https://docs.scrapy.org/en/latest/topics/downloader-middleware.html
#     https://docs.scrapy.org/en/latest/topics/spider-middleware.html
#
# Our own settings share the prefix SKINAUDIT_. crawler/runner.py layers the per-site values of the
# sites file on top of these (DOWNLOAD_DELAY, CLOSESPIDER_PAGECOUNT, CLOSESPIDER_TIMEOUT, JOBDIR).

import os

BOT_NAME = "skinaudit"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ADDONS = {}


# Crawl responsibly by identifying yourself (and your website) on the user-agent.
# SKINAUDIT_CONTACT (an e-mail address or URL, also read from the environment) is put in the
# User-Agent so that site owners can reach whoever runs the crawl.
SKINAUDIT_CONTACT = os.environ.get("SKINAUDIT_CONTACT", "")
SKINAUDIT_USER_AGENT_TEMPLATE = "skinaudit/0.1 (blog audit crawler; +{contact})"
USER_AGENT = SKINAUDIT_USER_AGENT_TEMPLATE.format(contact=SKINAUDIT_CONTACT or "no contact configured")
# The product token robots.txt rules are matched against.
ROBOTSTXT_USER_AGENT = "skinaudit"

# Obey robots.txt rules (Crawl-delay too: see crawler.middlewares.CrawlDelayMiddleware)
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"
# Cap on a robots.txt Crawl-delay (seconds); a site asking for more gets this much.
SKINAUDIT_MAX_CRAWL_DELAY = 30.0

# Concurrency and throttling settings: many sites in parallel, few requests to each.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
DOWNLOAD_DELAY_JITTER = 0.5
# Items processed in parallel per response: a page yields one post and a few events, and a high
# value costs an asyncio task per slot for every response.
CONCURRENT_ITEMS = 8
# Sites crawled at the same time by one process (each site is one crawler).
SKINAUDIT_CONCURRENT_SITES = 8

# Timeouts and size limits: a slow or huge page must not hold the crawl.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # also bounds decompressed bodies (gzip bombs)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Retries with backoff: 429 / 503 honour Retry-After (crawler.middlewares.CrawlDelayMiddleware).
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A Retry-After longer than this (seconds) is not waited for: the page is reported as an error.
SKINAUDIT_MAX_RETRY_AFTER = 120.0
# Backoff (seconds) when a 429 / 503 gives no Retry-After; doubles with every retry.
SKINAUDIT_BACKOFF_BASE = 2.0
# Refusals (401 / 403 / 451 / challenge pages) after which a site counts as blocked and its crawl stops.
SKINAUDIT_BLOCKED_AFTER = 3

# Disable cookies (enabled by default): we read public pages only. No Referer header either.
COOKIES_ENABLED = False
REFERER_ENABLED = False

# Disable Telnet Console (enabled by default)
TELNETCONSOLE_ENABLED = False

# Override the default request headers:
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}

# Enable or disable spider middlewares
# See https://docs.scrapy.org/en/latest/topics/spider-middleware.html
# (link hops are limited by the spider itself: sitemap and feed pagination is not a hop)
DEPTH_LIMIT = 0

# Enable or disable downloader middlewares
# See https://docs.scrapy.org/en/latest/topics/downloader-middleware.html
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.CrawlDelayMiddleware": 560,  # after RetryMiddleware (550) on responses
    "crawler.middlewares.BlockedSiteMiddleware": 590,
}

# Download handlers: blogs are http(s); not loading the others saves start-up time on every run.
DOWNLOAD_HANDLERS = {"ftp": None, "s3": None, "file": None, "data": None}

# Enable or disable extensions
# See https://docs.scrapy.org/en/latest/topics/extensions.html
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,  # no listening sockets
}

# Configure item pipelines
# See https://docs.scrapy.org/en/latest/topics/item-pipeline.html
ITEM_PIPELINES = {
    "crawler.pipelines.NearDuplicatePipeline": 100,
    "crawler.pipelines.StorePipeline": 300,
    "crawler.pipelines.EventPipeline": 400,
}
# Incremental runs skip a post whose sitemap <lastmod> is unchanged, unless its last download is
# older than this many days (then a conditional request asks again: sitemaps are not always right).
SKINAUDIT_RECHECK_DAYS = 7.0
# Posts written per store transaction, and the longest (seconds) a fetched post waits to be written:
# a crawl killed with SIGKILL loses at most this much, which the next run fetches again.
SKINAUDIT_STORE_BATCH = 50
SKINAUDIT_STORE_FLUSH_SECONDS = 1.0
# Audit processes that run alongside the crawl, auditing stored pages as they arrive (0: audit after).
SKINAUDIT_AUDIT_INLINE = 0

# Enable and configure the AutoThrottle extension (disabled by default)
# See https://docs.scrapy.org/en/latest/topics/autothrottle.html
AUTOTHROTTLE_ENABLED = True
# The initial download delay
AUTOTHROTTLE_START_DELAY = 2
# The maximum download delay to be set in case of high latencies
AUTOTHROTTLE_MAX_DELAY = 60
# The average number of requests Scrapy should be sending in parallel to
# each remote server
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Enable showing throttling stats for every response received:
AUTOTHROTTLE_DEBUG = False

# Enable and configure HTTP caching (disabled by default): incremental runs use conditional
# requests against the store instead (ETag / Last-Modified / sitemap lastmod).
HTTPCACHE_ENABLED = False

# Crash safety: each site's frontier lives in SKINAUDIT_JOBS_DIR/<store>/<site>/ while it runs
# (Scrapy's JOBDIR); logs go to SKINAUDIT_LOGS_DIR/crawl-<run>.log.
SKINAUDIT_JOBS_DIR = "data/jobs"
SKINAUDIT_LOGS_DIR = "data/logs"
SKINAUDIT_PROGRESS_INTERVAL = 1.0
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0

# Set settings whose default value is deprecated to a future-proof value
FEED_EXPORT_ENCODING = "utf-8"
