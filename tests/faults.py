"""Readings with a bug put in on purpose, for the error paths of the loader.

Each is :func:`extract.pipeline.read_document` with one stage replaced by one that raises, as a
bug of planex on a strange file would: the loader runs it in its workers (``load(...,
reader=...)``), so that a stage's failure travels the real way — the worker's reading, the
store's rows, the loader's ``partial`` error — with nothing written around it. Module-level
functions: the workers import them by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from extract import pipeline

RECORDS_BUG = IndexError("list index out of range")
STRUCTURE_BUG = ValueError("max() arg is an empty sequence")


@contextmanager
def _raising(stage: str, error: Exception) -> Iterator[None]:
    real = getattr(pipeline, stage)

    def broken(*args, **kwargs):
        raise error

    setattr(pipeline, stage, broken)
    try:
        yield
    finally:
        setattr(pipeline, stage, real)


def read_with_failing_records(data: bytes, catalogue=None, **kwargs) -> pipeline.DocumentReading:
    """The pipeline with the records stage of every plan raising (its programs)."""
    with _raising("plan_programs", RECORDS_BUG):
        return pipeline.read_document(data, catalogue, **kwargs)


def read_with_failing_structure(data: bytes, catalogue=None, **kwargs) -> pipeline.DocumentReading:
    """The pipeline with the structure stage raising: no plan is found, the pages are kept."""
    with _raising("read_structure", STRUCTURE_BUG):
        return pipeline.read_document(data, catalogue, **kwargs)
