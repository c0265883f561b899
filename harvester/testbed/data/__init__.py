"""JSON bodies for the test bed (a package so that the files ship with it)."""
