"""Use: a planex database in (and, for the loader, folders of PDFs); searches, comparisons, CSV,
JSON lines and Excel files, and a Datasette server out.

``loader`` loads a folder: it runs the pipeline in worker processes (``warm`` is what each
worker's fork server loads once) and the store's writer in the parent, so it stands after both.
``search`` parses queries and ranks sentences, ``compare`` lines one section up across plans,
``export`` and ``workbook`` write the tables, ``serve`` runs Datasette (``serve_functions``,
``serve_metadata``, ``serve_queries``).
"""
