"""Typed records that planex extracts from plan PDFs (pydantic v2 models)."""

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
