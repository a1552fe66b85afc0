#!/usr/bin/env python3
"""Build the corpus: the plan texts of corpus/manifest.toml typeset into PDFs, by the builder's
own layouts and by real office software.

Usage::

    python corpus/build.py [--layout plain|published|scanned|all] [--only ID] [--out DIR] ...

The builder is the package ``builder/`` beside this file, one module per layout or producer (see
corpus/README.md). Paths are relative to this file's folder, so the script works from any
directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from builder.cli import main
from builder.source import heading_level, parse  # noqa: F401  (the builder's heading rules, for tests)

if __name__ == "__main__":
    sys.exit(main())
