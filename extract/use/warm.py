"""Imported by the loader's fork server: what every worker needs, loaded once before forking.

Workers are forks of that server, so they share GiNZA's model (copy-on-write) instead of each
spending two seconds and ~450 MB loading it — and a file's timeout never pays for the load.

What is loaded here lives as long as the process: it is frozen out of the garbage collector's
reach (``gc.freeze``), so that no collection in a worker walks the model's objects again (each
full collection would, and would write to their pages, which copy-on-write then copies).
"""

import gc
import os

# One process per core already: BLAS threads inside each worker would only fight over the cores.
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")

from extract.records.ginza import nlp  # noqa: E402
from extract.use import loader  # noqa: E402, F401  (the reader and the store)

nlp()
gc.freeze()
