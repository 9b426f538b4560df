"""skinaudit's Scrapy project: spiders navigate, ``crawler.pages`` turn responses into items, pipelines store."""
