"""年报 harvester: clean, classify and drive the crawl of 政府信息公开工作年度报告."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nianbao-harvester")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

from harvester.clean import clean  # noqa: E402  (the public API: harvester.clean(body, url, headers))
from harvester.result import CleanResult, InputError  # noqa: E402

__all__ = ["CleanResult", "InputError", "__version__", "clean"]
