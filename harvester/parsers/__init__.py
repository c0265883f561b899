"""Built-in report parsers that read the clean text (``CleanResult.text``) of one report."""
