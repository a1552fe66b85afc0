"""Structure: a ``ParsedDocument`` in; its plans out -- each with its metadata (``Plan``), its
section tree (``Section``) and its lines (:class:`extract.structure.plans.PlanStructure`).

The entry point is :func:`extract.structure.plans.read_structure`. ``plans`` splits a document
into plans and reads their insurer, branch, type and years (``dates``: era and fiscal years);
``headings`` tells a heading from text (numbering marks, the look of a title, tables of contents);
``fields`` finds the frame of a 協会けんぽ business plan (its fields and the measures under them);
``outline`` builds the section tree.
"""
