"""Records: one plan's structure (metadata, lines, sections) in; its KPIs and targets, programs
and health issues out, each with the page, section and original text it was read from.

``kpis`` (:func:`extract.records.kpis.plan_kpis`) finds the candidates and assembles ``Kpi``
records, reading a sentence with ``targets``, a year-column table with ``target_tables`` and the
STEP template's cells with ``step_forms``; ``indicators`` gives an indicator its canonical id
(schemas/indicators.toml); ``ginza`` parses what regexes cannot read. ``programs``
(:func:`extract.records.programs.plan_programs`) reads programs the four ways plans describe
them and links their KPIs, ``health_issues`` the health issues; ``program_text`` holds their
shared text helpers.
"""
