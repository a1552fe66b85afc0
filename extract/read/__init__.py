"""Read: a PDF's bytes in; a ``ParsedDocument`` out -- its pages and lines (box, font, bold, role,
table cell), normalized and raw text, and the quality of each page (ok, garbled, no_text).

The entry point is :func:`extract.read.pdf.read_pdf` (:class:`extract.read.pdf.PdfReadError`, with
an error kind, for a file that cannot be read). ``pdf`` opens the file, recovers damaged ones and
asks pdfplumber about garbled pages; ``layout`` turns PyMuPDF's spans into lines (fake and stroked
bold, turned pages, vertical text, running headers and page numbers); ``cells`` reads ruled tables
cell by cell (labels, header rows); ``normalize`` folds the text once, keeping the raw text;
``quality`` judges each page. Another reader of a page -- OCR for a page with no text layer --
belongs here, behind ``read_pdf``: every stage after it sees the same ``ParsedDocument``.
"""
