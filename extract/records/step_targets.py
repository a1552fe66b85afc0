"""The STEP template of health-insurance societies: targets written inside a table cell.

``実施率(【実績値】-【目標値】令和2年度:10%)`` (STEP3) and ``【計画値/実績値】令和2年度:90%/57.6%``
(the STEP4 report, the result beside the target). ``extract.records.kpis`` reads the plan's lines
joined, as the cells wrap, even onto the next page, and maps each hit back to its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.records.targets import clean_indicator, squash_numbers
from extract.structure.dates import parse_year

_STEP_TARGET = re.compile(
    r"(?P<ind>[^\s()【】\]]{2,30}?(?:\([^()【】]{1,10}\))?)\s*\((?:【[^】]*実績値】\s*(?P<base>[-\d.]+%?)\s*[-‐]?\s*)?"
    r"【(?P<head>目標値|計画値/実績値)】\s*(?P<year>(令和|平成)\s*\S{1,2}\s*年度)\s*:\s*"
    r"(?P<val>\d+(?:\.\d+)?)\s*%(?:\s*/\s*(?P<act>\d+(?:\.\d+)?)\s*%)?"
)


@dataclass
class StepRecord:
    indicator: str
    value: float
    year: int | None
    actual: float | None
    start: int
    end: int


def step_records(text: str) -> list[StepRecord]:
    """``実施率(【実績値】-【目標値】令和2年度:10%)`` and ``【計画値/実績値】令和2年度:90%/57.6%``."""
    found = []
    for m in _STEP_TARGET.finditer(squash_numbers(text)):
        actual = float(m.group("act")) if m.group("act") else None
        # the cell, not the text before it (a sentence, a label, the last cell's 受診者数÷対象者数)
        indicator = re.split(r"。|指標|÷\S*?(?:数|期間)", m.group("ind"))[-1]
        start = m.end("ind") - len(indicator)  # where the cell starts: its evidence starts there
        found.append(StepRecord(clean_indicator(indicator), float(m.group("val")),
                                parse_year(m.group("year")), actual, start, m.end()))  # fmt: skip
    return found
