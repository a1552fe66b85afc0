"""The indicator catalogue a database's KPI records are mapped with, kept in the database.

``planex load --indicators FILE`` and ``planex kpis remap`` store the user's catalogue (TOML) in
the ``settings`` table (:func:`store_catalogue`), so that later loads map new documents alike
(:func:`stored_catalogue`); :func:`remap_kpis` maps the stored records again from the columns they
keep, without reading a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from extract.records.indicators import Catalogue, catalogue_from
from extract.store.schema import KPIS, SETTINGS


def stored_catalogue(db: sqlite_utils.Database) -> Catalogue:
    """The indicator catalogue the database's KPI records are mapped with: planex's own, extended
    by the user's catalogue stored by ``planex load --indicators`` or ``planex kpis remap``."""
    if SETTINGS not in db.table_names():
        return catalogue_from()
    rows = dict(db.execute(f"select key, value from {SETTINGS} where key like 'indicators%'").fetchall())
    return catalogue_from(rows.get("indicators") or "", rows.get("indicators_source") or "")


def store_catalogue(db: sqlite_utils.Database, catalogue: Catalogue) -> None:
    """Keep the user's catalogue in the database, so that later loads map new documents alike."""
    with db.atomic():
        db.execute(f"delete from {SETTINGS} where key like 'indicators%'")
        if catalogue.user_text:
            db[SETTINGS].insert_all(
                [{"key": "indicators", "value": catalogue.user_text},
                 {"key": "indicators_source", "value": catalogue.user_source}],
                pk="key",
            )  # fmt: skip


@dataclass
class Remapped:
    """What ``planex kpis remap`` changed."""

    records: int = 0
    changed: int = 0
    mapped: int = 0


def remap_kpis(db: sqlite_utils.Database, catalogue: Catalogue) -> Remapped:
    """Map every stored KPI record again with ``catalogue`` (canonical id, rule, normalized
    population), from the columns the records keep — no PDF is read — in one transaction; the
    catalogue is stored with them (:func:`store_catalogue`)."""
    result = Remapped()
    updates = []
    rows = db.execute(
        f"select id, indicator, program, section, context, population, unit, comparator, indicator_id, "
        f"indicator_rule, population_norm from {KPIS}"
    ).fetchall()
    for ident, indicator, program, section, context, population, unit, comparator, *old in rows:
        match = catalogue.map(
            indicator or "", program=program, section=section or "", context=context, population=population,
            unit=unit or "", comparator=comparator or "",
        )  # fmt: skip
        new = (match.indicator_id or "", match.rule, match.population_norm)
        result.records += 1
        result.mapped += bool(match.indicator_id)
        if new != (old[0] or "", old[1], old[2]):
            result.changed += 1
            updates.append((*new, ident))
    with db.atomic():  # the records and the catalogue they were mapped with, together
        sql = f"update {KPIS} set indicator_id = ?, indicator_rule = ?, population_norm = ? where id = ?"
        db.conn.executemany(sql, updates)
        store_catalogue(db, catalogue)
    return result
