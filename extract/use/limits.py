"""The loader's defaults that the command line shows in its help, importable without the loader
(which imports the whole pipeline: a command's ``--help`` should not wait for PyMuPDF and spaCy)."""

DEFAULT_TIMEOUT = 120.0
"""Seconds one file may take before its worker is killed and the file recorded as ``timeout``."""
