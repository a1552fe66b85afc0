"""The SQL functions planex adds to Datasette's connections, and the plugin that adds them.

``planex_match(q)`` turns a user's query into our FTS5 MATCH expression
(``extract.use.search.parse_query`` + ``to_match``); ``planex_search(q, kind, branch, limit)``
runs ``extract.use.search.search`` itself and returns its hits as JSON; ``planex_snippet``,
``planex_sentence_key``, ``planex_heading_score``, ``planex_indicator_id``,
``planex_indicator_label`` and ``planex_target`` let the canned queries
(``extract.use.serve_queries``) rank, mark and line up what the tables hold. The plugin
(:class:`PlanexPlugin`) also replaces Datasette's ``escape_fts`` on the served database, so
that the table search box understands Japanese (see ``extract.use.serve``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from datasette import hookimpl

if TYPE_CHECKING:
    from extract.records.indicators import Catalogue


NO_MATCH = '"\ue001"'
"""An FTS5 expression that matches nothing: a private-use character, which the tokenizer never
emits (the padding column holds U+E000 only). What :func:`planex_match` returns for a query with
nothing to search for: an SQL function cannot hand Datasette a readable error message, and an
empty query is what a canned query's form runs with before the user types anything."""


@lru_cache(maxsize=256)
def _parsed(query: str):
    from extract.use.search import SearchError, highlighter, parse_query, to_match

    try:
        node = parse_query(query)
        return to_match(node), highlighter(node)
    except SearchError:
        return None


def planex_match(query: object) -> str:
    """The FTS5 MATCH expression of a user's query (``extract.use.search`` query language).

    ``受診勧奨`` → ``"受診 診勧 勧奨"`` (a phrase of bigrams); a query with nothing to search for (empty,
    punctuation only, excluded words only, too long) → :data:`NO_MATCH`, which matches no row.
    """
    parsed = _parsed(str(query)) if query is not None else None
    return parsed[0] if parsed else NO_MATCH


def planex_snippet(sentence: object, query: object) -> str | None:
    """The sentence around the query's first match, matches marked 【like this】."""
    from extract.use.search import marks_in, snippet

    if sentence is None:
        return None
    text = str(sentence)
    parsed = _parsed(str(query)) if query is not None else None
    return snippet(text, marks_in(text, parsed[1] if parsed else None))


def planex_sentence_key(sentence: object) -> str:
    """A sentence as compared for repeats: without its leading bullet and spaces."""
    from extract.use.search import sentence_key

    return sentence_key(str(sentence or ""))


@lru_cache(maxsize=64)
def _heading_key(text: str) -> str:
    from extract.use.compare import heading_key

    return heading_key(text)


def planex_heading_score(heading: object, wanted: object) -> float:
    """0..1: how alike a section heading and the heading asked for are (as ``planex compare``)."""
    from extract.use.compare import heading_key, similarity

    if heading is None or wanted is None:
        return 0.0
    return similarity(_heading_key(str(wanted)), heading_key(str(heading)))


def planex_indicator_id(text: object, catalogue: Catalogue | None = None) -> str | None:
    """The canonical indicator id of ``text``: an id (generic_share), its Japanese label, or any
    spelling the catalogue's names know (ジェネリック医薬品使用割合); ``None`` if none. The served
    database's catalogue (with the user's indicators) when :func:`register_functions` is given it."""
    from extract.records.indicators import builtin_catalogue

    return (catalogue or builtin_catalogue()).id_of_text(str(text or ""))


def planex_indicator_label(indicator_id: object, catalogue: Catalogue | None = None) -> str | None:
    from extract.records.indicators import builtin_catalogue

    return (catalogue or builtin_catalogue()).labels().get(str(indicator_id or ""))


def planex_population(text: object) -> str | None:
    """A normalized population (insured, dependents, all) from itself or the plan's words
    (被保険者, 組合員, 被扶養者, 家族, 全体 …); ``None`` if none."""
    from extract.records.indicators import POPULATIONS, normalized_population

    wanted = str(text or "").strip()
    return wanted if wanted in POPULATIONS else normalized_population(wanted)


def planex_target(comparator: object, value: object, unit: object) -> str:
    """A target as a reader writes it: 80%以上, 対前年度以上, 実施 (as the wide KPI export)."""
    from extract.use.export import target_text

    return target_text({"comparator": comparator, "value": value, "unit": unit})


def planex_search(
    conn: sqlite3.Connection, query: object, kind: object, branch: object, limit: object
) -> str:
    """The hits of ``extract.use.search.search`` as a JSON array (``[]`` for a query or filter
    with nothing to search for), for a canned query to unfold with ``json_each``: SQL alone
    cannot take the query path that ranks only the sentences a filter keeps. It runs on the
    connection that calls it (SQLite allows statements inside a function's call)."""
    import json

    import sqlite_utils

    from extract.use.search import SearchError, search

    try:
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        hits = search(db, str(query or ""), kind=str(kind or "") or None,
                      branch=str(branch or "") or None, limit=int(limit or 20))  # fmt: skip
    except SearchError:
        return "[]"
    return json.dumps([h.model_dump() for h in hits], ensure_ascii=False)


SQL_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "planex_match": (1, planex_match),
    "planex_snippet": (2, planex_snippet),
    "planex_sentence_key": (1, planex_sentence_key),
    "planex_heading_score": (2, planex_heading_score),
    "planex_indicator_id": (1, planex_indicator_id),
    "planex_indicator_label": (1, planex_indicator_label),
    "planex_population": (1, planex_population),
    "planex_target": (3, planex_target),
}
_CATALOGUE_FUNCTIONS = {"planex_indicator_id", "planex_indicator_label"}


def register_functions(
    conn: sqlite3.Connection, *, table_search: bool = False, catalogue: Catalogue | None = None
) -> None:
    """Add the planex SQL functions to a connection; with ``table_search``, also replace
    Datasette's ``escape_fts`` with :func:`planex_match` (see the module docstring). The
    indicator functions use ``catalogue`` (the served database's), planex's own by default."""
    for name, (arity, fn) in SQL_FUNCTIONS.items():
        if catalogue is not None and name in _CATALOGUE_FUNCTIONS:
            fn = partial(fn, catalogue=catalogue)
        conn.create_function(name, arity, fn, deterministic=True)
    conn.create_function("planex_search", 4, partial(planex_search, conn))  # it reads: not deterministic
    if table_search:
        conn.create_function("escape_fts", 1, planex_match, deterministic=True)


class PlanexPlugin:
    """The Datasette plugin, registered in-process by :func:`registered_plugin`.

    ``trylast``: Datasette's own ``prepare_connection`` (which registers ``escape_fts``) must
    run first, so that ours replaces it on the served planex databases.
    """

    __name__ = "planex"  # Datasette lists plugins by name (/-/plugins)

    def __init__(self, databases: set[str], catalogue: Catalogue | None = None) -> None:
        self.databases = databases
        self.catalogue = catalogue

    @hookimpl(trylast=True)
    def prepare_connection(self, conn: sqlite3.Connection, database: str) -> None:
        register_functions(conn, table_search=database in self.databases, catalogue=self.catalogue)


@contextmanager
def registered_plugin(databases: set[str], catalogue: Catalogue | None = None) -> Iterator[PlanexPlugin]:
    """Register :class:`PlanexPlugin` with Datasette's plugin manager while the block runs."""
    from datasette.plugins import pm

    plugin = PlanexPlugin(databases, catalogue)
    pm.register(plugin, name="planex")
    try:
        yield plugin
    finally:
        pm.unregister(plugin)


@contextmanager
def quiet_client_errors() -> Iterator[None]:
    """No traceback in the server log for a client's mistake while the block runs.

    Datasette 0.65's default error handler prints a traceback, with every local variable, for
    each error it answers — a 404 for a missing table or a 400 for a broken SQL query included —
    whenever rich is installed (planex's command line needs rich). The response (the status and
    the message) is the same without it; an unexpected error (500) still prints its traceback.
    """
    from datasette import handle_exception

    rich = handle_exception.rich
    handle_exception.rich = None
    try:
        yield
    finally:
        handle_exception.rich = rich
