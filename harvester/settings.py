"""Scrapy settings of the harvester. Every one can be overridden with ``-s NAME=VALUE``."""

BOT_NAME = "nianbao-harvester"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Politeness: robots.txt, one connection per host, ≥ 1 s between requests to a host (AutoThrottle
# may lengthen it, never shorten it below DOWNLOAD_DELAY), honest identification.
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Deployments set HARVESTER_CONTACT to a URL or mailbox that reaches them; the spider puts it in
# the User-Agent (an explicit -s USER_AGENT=… wins).
HARVESTER_CONTACT = "https://pypi.org/project/nianbao-harvester/"

# Robustness: retry transient failures (503 among them), bound sizes and time.
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # scanned 年报 PDFs reach tens of MB; beyond is not a report
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = False  # keep a truncated body, flagged, rather than nothing
DEPTH_LIMIT = 12
# Scrapy starts this many tasks for every callback's output; a page yields one item and its
# links, so the default 100 only costs reactor time (a measured sixth of it on the test bed).
CONCURRENT_ITEMS = 8
REDIRECT_MAX_TIMES = 10

# Scrapy's downloader ignores CONCURRENT_REQUESTS_PER_DOMAIN when DOWNLOAD_DELAY is 0 (tests,
# benchmarks, -s DOWNLOAD_DELAY=0): this one keeps one connection per host whatever the delay.
DOWNLOADER = "harvester.downloader.HostSlotDownloader"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "harvester.middlewares.WaitingRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "harvester.middlewares.LoopAwareRedirectMiddleware": 600,
    # Above Redirect (600) and HttpCompression (590): sees every hop and the undecoded body.
    "harvester.warc_middleware.WarcMiddleware": 650,
}
# The frontier lives in the archive and is written with the captures: a killed crawl resumes.
DUPEFILTER_CLASS = "harvester.frontier.FrontierDupeFilter"
ITEM_PIPELINES = {
    "harvester.pipelines.CleanPipeline": 300,
    "harvester.warc_middleware.WarcPipeline": 500,  # metadata + conversion records
    "harvester.pipelines.ArchivePipeline": 800,
}
EXTENSIONS = {
    "harvester.progress.Progress": 500,
}

# The harvester's own settings.
HARVESTER_DB = "harvest.db"
HARVESTER_SEEDS = None  # a CSV file; None: the registry shipped with the package
HARVESTER_CLEAN_WORKERS = 1  # cleaning processes beside the crawler (0: a thread in-process)
HARVESTER_BATCH_SIZE = 50  # archive items per transaction
HARVESTER_FLUSH_SECONDS = 5.0  # …or fewer, at least this often
HARVESTER_RESUME = False  # set by `harvester crawl` when the archive holds an unfinished run
HARVESTER_CONDITIONAL = True  # If-None-Match / If-Modified-Since from the last capture of a URL
HARVESTER_FRESH_DAYS = 7.0  # report pages confirmed more recently are not asked again (0: always)
HARVESTER_ROBOTS_HOURS = 24.0  # robots.txt fetched more recently is read from the archive
HARVESTER_REVISIT_KNOWN = True  # at the end, re-check known documents discovery did not reach
HARVESTER_HOST_BUDGET = 2000  # pages per host per crawl: crawler traps end here
HARVESTER_NAV_DEPTH = 4  # navigation hops from a home page towards the 年报 column
HARVESTER_WARC = "on"  # WARC 1.1 files of every exchange; "off" disables
HARVESTER_WARC_DIR = None  # default: a "warc" directory beside HARVESTER_DB
HARVESTER_WARC_MAX_BYTES = 1024**3  # rotate WARC files past this size
HARVESTER_PROGRESS = "auto"  # live progress line: auto (only on a terminal), on, off
HARVESTER_RECORDED_SETTINGS = [
    "USER_AGENT", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED",
    "ROBOTSTXT_OBEY", "DEPTH_LIMIT", "HARVESTER_HOST_BUDGET", "HARVESTER_NAV_DEPTH",
    "HARVESTER_SEEDS",
]

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
