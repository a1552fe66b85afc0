"""Plans and section headings against tests/expected: plan metadata, and each heading's label,
words, level and parent."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from extract.evaluate.match import (
    Evaluation,
    Score,
    text_key,
)

SECTION_FIELDS = ("label", "heading", "level", "parent")
"""``parent``: the heading the section stands under (none for a top-level one)."""


def _heading_key(label: str, heading: str) -> str:
    return text_key(f"{label}{heading}")


def expected_parents(sections: Sequence[dict]) -> list[int | None]:
    """For each expected heading, the index of the one it stands under: the nearest earlier
    heading of a smaller level (expectations give levels in text order; the parent follows)."""
    parents: list[int | None] = []
    for i, section in enumerate(sections):
        parent = None
        for j in range(i - 1, -1, -1):
            if sections[j]["level"] < section["level"]:
                parent = j
                break
        parents.append(parent)
    return parents


def _align_headings(wants: Sequence[dict], got: Sequence) -> list[tuple[int, int]]:
    """Expected and found headings paired in text order: the same label and words first (the
    longest common subsequence), then, between those, the same words under another label or the
    same label with words cut or run on (a label or a heading read wrong, still the same one)."""
    want_keys = [_heading_key(w["label"], w["heading"]) for w in wants]
    got_keys = [_heading_key(s.label, s.heading) for s in got]
    pairs: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, want_keys, got_keys, autojunk=False)
    last_i = last_j = 0
    for block in [*matcher.get_matching_blocks()]:
        pairs.extend(_near_pairs(wants, got, range(last_i, block.a), range(last_j, block.b)))
        pairs.extend((block.a + k, block.b + k) for k in range(block.size))
        last_i, last_j = block.a + block.size, block.b + block.size
    return sorted(pairs)


def _near_pairs(wants: Sequence[dict], got: Sequence, rows: range, cols: range) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    start = cols.start
    for i in rows:
        label, heading = text_key(wants[i]["label"]), text_key(wants[i]["heading"])
        for j in range(start, cols.stop):
            other_label, other_heading = text_key(got[j].label), text_key(got[j].heading)
            same_words = heading and heading == other_heading
            same_label = (
                label == other_label
                and heading
                and other_heading
                and (heading.startswith(other_heading[:6]) or other_heading.startswith(heading[:6]))
            )
            if same_words or same_label:
                pairs.append((i, j))
                start = j + 1
                break
    return pairs


def score_headings(predicted: list[tuple[str, str]], expected: list[tuple[str, str]]) -> Score:
    """Precision and recall of (label, heading) pairs against expected ones, in any order."""
    from collections import Counter

    want = Counter(_heading_key(label, heading) for label, heading in expected)
    got = Counter(_heading_key(label, heading) for label, heading in predicted)
    return Score(sum(want.values()), sum(got.values()), sum((want & got).values()))


def score_plans(found: list, expected: dict) -> Evaluation:
    """Section headings over a document's annotated plans (``tests/expected/{id}.json``).

    ``found`` is what :func:`extract.structure.plans.read_plans` returns; branch plans are matched by branch.
    Every found heading (level > 0) counts toward precision, whatever its numbering style. Matched
    pairs compare their label and heading as text, their level, and their parent: the found
    section's parent must be the found counterpart of the expected parent (see
    :func:`expected_parents`).
    """
    total = Evaluation(SECTION_FIELDS)
    for want in expected["plans"]:
        if "sections" not in want:
            continue
        key = want.get("key") or want.get("branch") or "main"
        matches = [s for p, s in found if len(found) == 1 or p.branch == want["branch"]]
        sections = [s for s in (matches[0] if len(matches) == 1 else []) if s.level > 0]
        wants = want["sections"]
        pairs = _align_headings(wants, sections)
        evaluation = Evaluation(SECTION_FIELDS, Score(len(wants), len(sections), len(pairs)))
        counterpart = {j: i for i, j in pairs}
        index_of = {s.id: j for j, s in enumerate(sections)}
        parents = expected_parents(wants)
        for i, j in pairs:
            w, s = wants[i], sections[j]
            name = f"l.{w.get('line', '?')} {w['label']}{w['heading']}"
            evaluation.compare(
                key, name, "label", s.label, w["label"], text_key(s.label) == text_key(w["label"])
            )
            evaluation.compare(key, name, "heading", s.heading, w["heading"],
                               text_key(s.heading) == text_key(w["heading"]))  # fmt: skip
            evaluation.compare(key, name, "level", s.level, w["level"], s.level == w["level"])
            parent_j = index_of.get(s.parent_id) if s.parent_id else None
            found_parent = counterpart.get(parent_j) if parent_j is not None else None
            shown = (
                f"{sections[parent_j].label}{sections[parent_j].heading}" if parent_j is not None else None
            )
            wanted = parents[i]
            shown_want = f"{wants[wanted]['label']}{wants[wanted]['heading']}" if wanted is not None else None
            same_parent = found_parent == wanted and (parent_j is None) == (wanted is None)
            evaluation.compare(key, name, "parent", shown, shown_want, same_parent)
        paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
        evaluation.missed = [f"{key} l.{w.get('line', '?')} {w['label']}{w['heading']}"
                             for i, w in enumerate(wants) if i not in paired_i]  # fmt: skip
        evaluation.extra = [f"{key} p.{s.page_start} L{s.level} {s.label} {s.heading}"
                            for j, s in enumerate(sections) if j not in paired_j]  # fmt: skip
        total = total + evaluation
    return total


def section_gold(found: list, doc_id: str = "") -> dict:
    """A reading's section trees in the format of ``tests/expected`` (to score another reading of
    the same document against it). Never a substitute for expectations written by hand."""
    plans = []
    for plan, sections in found:
        key = plan.branch if len(found) > 1 else "main"
        plans.append({
            "key": key, "branch": plan.branch,
            "sections": [{"level": s.level, "label": s.label, "heading": s.heading, "line": s.page_start}
                         for s in sections if s.level > 0],
        })  # fmt: skip
    return {"id": doc_id, "plans": plans}
