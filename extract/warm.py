"""Imported by the loader's fork server: what every worker needs, loaded once before forking.

Workers are forks of that server, so they share GiNZA's model (copy-on-write) instead of each
spending two seconds and ~450 MB loading it — and a file's timeout never pays for the load.
"""

from extract import loader  # noqa: F401  (the reader and the store)
from extract.ginza import nlp

nlp()
