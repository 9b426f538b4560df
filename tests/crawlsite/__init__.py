"""A local HTTP server with crawler traps, for the crawl tests and bench/bench_crawl.py."""

from .server import CrawlSite

__all__ = ["CrawlSite"]
