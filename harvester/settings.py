"""Scrapy settings for the harvester (the crawl itself arrives with the discovery work)."""

BOT_NAME = "nianbao-harvester"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
ROBOTSTXT_OBEY = True
USER_AGENT = "nianbao-harvester/0.1 (+https://github.com/nianbao-harvester; research archive of 政府信息公开工作年度报告)"
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
