"""Scrapy settings for the harvester (the crawl itself arrives with the discovery work)."""

BOT_NAME = "nianbao-harvester"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
ROBOTSTXT_OBEY = True
# Honest identification; deployments set HARVESTER_CONTACT to a URL or mailbox that reaches them.
USER_AGENT = "nianbao-harvester/0.1 (research archive of government annual reports; +HARVESTER_CONTACT)"
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
