"""Test bed: a model of 年报 documents, portal page templates that render them, and the fixture
corpus built from both.

- :mod:`harvester.testbed.reports`: :class:`~harvester.testbed.reports.Report` (title, agency,
  year, blocks) built from the seed bodies in ``data/``, standard tables with consistent numbers,
  and the canonical clean text a cleaner must produce.
- :mod:`harvester.testbed.pages`: one renderer per CMS family (TRS, 大汉, 集约化, gov.cn, Word
  paste, unknown CMS, township), plus the 瑞数 412 challenge page.
- :mod:`harvester.testbed.corpus`: the fixture cases (report × site × template) written to
  ``tests/fixtures/corpus`` by ``tests/fixtures/build_corpus.py``.

Everything is deterministic: the same call gives the same bytes.
"""
