"""Typed records that planex extracts from plan PDFs (pydantic v2 models).

The names below are imported from their modules when first used (PEP 562): ``import
schemas.search`` (what ``planex search`` needs) then builds only its own models, not every
record type, which keeps a command's start short.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.plans import InsurerType, Plan, PlanType, Section
    from schemas.records import (
        DocumentQuality,
        ErrorKind,
        Line,
        LoadError,
        Page,
        PageQuality,
        ParsedDocument,
    )

_MODULE_OF = {
    "InsurerType": "plans", "Plan": "plans", "PlanType": "plans", "Section": "plans",
    "DocumentQuality": "records", "ErrorKind": "records", "Line": "records", "LoadError": "records",
    "Page": "records", "PageQuality": "records", "ParsedDocument": "records",
}  # fmt: skip

__all__ = [
    "DocumentQuality",
    "ErrorKind",
    "InsurerType",
    "Line",
    "LoadError",
    "Page",
    "PageQuality",
    "ParsedDocument",
    "Plan",
    "PlanType",
    "Section",
]


def __getattr__(name: str) -> Any:
    """The model ``name``, imported from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
