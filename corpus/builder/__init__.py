"""The corpus builder: one module per layout or producer of the corpus PDFs.

``source`` reads the texts, ``common`` holds the manifest, fonts and sidecars; ``plain``,
``published`` (with ``sheet`` and ``branches``) and ``scanned`` are the builder's own layouts;
``cli`` is ``corpus/build.py``'s command line.
"""
