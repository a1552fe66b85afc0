"""The addresses of ``planex serve``'s own pages (``extract.use.serve_evidence``,
``serve_search``, ``serve_diff``) and what they share: one place, so that every page links to
the others the same way."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import sqlite_utils

PREFIX = "/-/planex"


def reader(conn: Any) -> sqlite_utils.Database:
    """A Datasette connection (read-only) as the library's ``sqlite_utils.Database``, changing
    nothing on it."""
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def plan_years(plan: dict[str, Any]) -> str:
    """A plan's year (2021) or period (2024-2029) as shown."""
    if plan.get("fiscal_year"):
        return str(plan["fiscal_year"])
    return "-".join(str(y) for y in (plan.get("period_start"), plan.get("period_end")) if y)


def evidence_url(kind: str, ref_id: str, sentence: str | None = None, page: int | None = None) -> str:
    """The evidence page of a record (a search hit's ``sentence`` on its ``page`` narrows the
    boxes to it)."""
    url = f"{PREFIX}/evidence/{quote(kind, safe='')}/{quote(ref_id, safe='')}"
    query = narrowing(sentence, page)
    return url + ("?" + query if query else "")


def narrowing(sentence: str | None, page: int | None) -> str:
    if not sentence:
        return ""
    return urlencode({"sentence": sentence, **({"page": page} if page else {})})


def pdf_url(doc_id: str) -> str:
    return f"{PREFIX}/pdf/{quote(doc_id, safe='')}"
