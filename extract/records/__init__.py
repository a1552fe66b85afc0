"""Records: one plan's structure (metadata, lines, sections) in; its KPIs and targets, programs
and health issues out, each with the page, section and original text it was read from.

``kpis`` (:func:`extract.records.kpis.plan_kpis`) assembles ``Kpi`` records from the candidates
``kpi_candidates`` finds, reading a sentence with ``targets``, a rate's breakdown with
``breakdowns``, a year-column table with ``target_tables`` and the STEP template's cells with
``step_forms``; ``ginza`` parses what regexes cannot read. ``indicators`` is the catalogue that
gives a record its canonical indicator and normalized population (schemas/indicators.toml, and
the user's); ``restatements`` makes a target stated twice one record. ``programs``
(:func:`extract.records.programs.plan_programs`) reads programs the four ways plans describe
them and links their KPIs, ``health_issues`` the health issues; ``program_text`` holds their
shared text helpers.
"""
