"""Read: a PDF's bytes in; a ``ParsedDocument`` out -- its pages and lines (box, font, bold, role,
table cell), normalized and raw text, and the quality of each page (ok, garbled, no_text).

The entry point is :func:`extract.read.pdf.read_pdf` (:class:`extract.read.pdf.PdfReadError`, with
an error kind, for a file that cannot be read). ``pdf`` opens the file, recovers damaged ones and
asks pdfplumber about garbled pages; ``layout`` turns PyMuPDF's spans into lines (fake and stroked
bold, turned pages, vertical text, running headers and page numbers); ``rules`` finds tables in
the drawings (rules, Word's bars, shaded cells), ``open_tables`` grids a table drawn as its header
only, ``cells`` reads tables cell by cell in the page's geometric order (labels, header rows), and
``continued`` reads a table across page breaks (a repeated header once, a cut label or row joined);
``normalize`` folds the text once, keeping the raw text; ``quality`` judges each page. Another
reader of a page -- OCR for a page with no text layer -- belongs here, behind ``read_pdf``: every
stage after it sees the same ``ParsedDocument``.
"""
