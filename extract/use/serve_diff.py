"""``planex serve``'s plan comparisons (filled in with ``extract.use.diff``)."""

from __future__ import annotations

from typing import Any


def diff_routes(database: str) -> list[tuple[str, Any]]:
    return []
