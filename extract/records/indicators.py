"""Canonical indicators: name every KPI the same way across insurers (schemas/indicators.toml).

Plans write one measure many ways (特定健診実施率, 被扶養者の特定健康診査受診率, a bare 実施率 in a row of
the 特定健康診査（被扶養者） program), and the same people under other names (被保険者, 組合員, 本人). The
catalogue gives each measure an id, a label, a unit and what it counts; :meth:`Catalogue.map` gives a
record its id from the indicator's own words, or — for a generic word such as 実施率 or 受診率 —
from the program and the section it stands in, and says which rule it used (``indicator_rule``),
so a user can audit every mapping. :func:`normalized_population` names the population the same
way for every insurer (``insured``, ``dependents``, ``all``).

A user extends the catalogue with a TOML file of the same shape (:func:`load_catalogue`); the
catalogue is an explicit input of the reading (``extract.pipeline.read_document(data,
catalogue)``), so reading a PDF stays a pure function of its bytes and the catalogue, and stored
records can be mapped again (``planex kpis remap``) without reading any PDF.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from extract.read.normalize import normalize_text

INDICATORS_FILE = Path(__file__).resolve().parents[2] / "schemas" / "indicators.toml"

POPULATIONS = ("insured", "dependents", "all")
POPULATION_LABELS = {"insured": "被保険者", "dependents": "被扶養者", "all": "全体"}
"""How exports and charts show a normalized population."""

_KEYS = {"id", "label", "unit", "counts", "population", "names", "generic", "programs", "program_rate",
         "exclude"}  # fmt: skip
_PATTERN_KEYS = ("names", "generic", "programs", "exclude")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """A catalogue file planex cannot use; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class Indicator:
    """One canonical indicator and the rules that recognize it (see schemas/indicators.toml)."""

    id: str
    label: str
    unit: str = ""
    counts: str = ""
    population: str | None = None
    names: tuple[re.Pattern[str], ...] = ()
    generic: tuple[re.Pattern[str], ...] = ()
    programs: tuple[re.Pattern[str], ...] = ()
    program_rate: bool = False
    exclude: tuple[re.Pattern[str], ...] = ()
    origin: str = "planex"  # the file the entry (or its last extension) came from


@dataclass(frozen=True)
class Match:
    """What the catalogue says of one record: its id and the rule that gave it (both None when
    nothing matched), and its normalized population."""

    indicator_id: str | None
    rule: str | None
    population_norm: str | None


@dataclass(frozen=True)
class Catalogue:
    """The indicators in the order their rules are tried, and the user's own file, if any
    (``user_text`` is kept so a database can store the catalogue its records were mapped with)."""

    indicators: tuple[Indicator, ...]
    user_text: str = ""
    user_source: str = ""
    _by_id: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({ind.id: ind for ind in self.indicators})

    def get(self, indicator_id: str | None) -> Indicator | None:
        return self._by_id.get(indicator_id or "")

    def labels(self) -> dict[str, str]:
        """id → Japanese label, in catalogue order."""
        return {ind.id: ind.label for ind in self.indicators}

    def id_of_text(self, text: str) -> str | None:
        """The id a user means by ``text``: an id, a label, or a spelling the names rules know
        (for lookups: ``planex kpis --indicator``, the Datasette query kpi_by_indicator)."""
        wanted = compact(text)
        if not wanted:
            return None
        if wanted in self._by_id:
            return wanted
        for ind in self.indicators:
            if compact(ind.label) == wanted:
                return ind.id
        for ind in self.indicators:
            if not _excluded(ind, wanted) and any(p.search(wanted) for p in ind.names):
                return ind.id
        return None

    def map(
        self,
        indicator: str,
        *,
        program: str | None = None,
        section: str = "",
        context: str | None = None,
        population: str | None = None,
        unit: str = "",
        comparator: str = "",
    ) -> Match:
        """The canonical id of one record, the rule that gave it, and its normalized population.

        Rules in order: a breakdown by sex, age band or support level is a part, not the
        indicator (no id); the indicator's own words (``text``); a generic word read in the
        record's program, then in the headings above it in its section (``context``: a measure's
        sub-items), nearest first, then in its section headings from the innermost (``program`` /
        ``section``; a heading naming two candidates decides nothing); the program's name alone
        with a value in the indicator's unit (``program name``). The value's unit must fit the
        indicator's (a count of 一者応札 is not its share).
        """
        text = compact(indicator)
        found: tuple[Indicator, str] | None = None
        if text and not _BREAKDOWN.search(text):
            fits = [ind for ind in self.indicators if _unit_fits(ind.unit, unit, comparator)]
            found = _by_names(fits, text) or _by_context(fits, text, program, context or "", section)
            found = found or _by_program_name(fits, text)
        norm = normalized_population(population)
        if found is None:
            return Match(None, None, norm)
        ind, rule = found
        return Match(ind.id, rule, norm or ind.population)


def _by_names(indicators: list[Indicator], text: str) -> tuple[Indicator, str] | None:
    for ind in indicators:
        if _excluded(ind, text):
            continue
        for pattern in ind.names:
            if pattern.search(text):
                return ind, f"text: {pattern.pattern}"
    return None


def _by_context(
    indicators: list[Indicator], text: str, program: str | None, context: str, section: str
) -> tuple[Indicator, str] | None:
    word = generic_word(text)
    candidates = [
        ind for ind in indicators if not _excluded(ind, text) and any(g.search(word) for g in ind.generic)
    ]
    if not candidates:
        return None
    contexts = [("program", program or "")]
    contexts += [("section", h) for h in reversed(section_headings(context))]
    contexts += [("section", h) for h in reversed(section_headings(section))]
    for basis, context in contexts:
        key = compact(context)
        if not key:
            continue
        named = [ind for ind in candidates if any(p.search(key) for p in ind.programs)]
        if len(named) == 1:
            return named[0], f"{basis}: {word} in {context.strip()}"
        if named:
            return None  # the heading names two programs (特定健診・特定保健指導): it decides nothing
    return None


def _by_program_name(indicators: list[Indicator], text: str) -> tuple[Indicator, str] | None:
    word = generic_word(text)
    for ind in indicators:
        if ind.program_rate and ind.unit and any(p.fullmatch(word) for p in ind.programs):
            return ind, f"program name: {word}"
    return None


def _excluded(ind: Indicator, text: str) -> bool:
    return any(p.search(text) for p in ind.exclude)


_UNIT_FAMILIES = ({"%", "‰", "ポイント", "pt"}, {"人", "名"}, {"事業所", "社", "か所", "ヵ所", "箇所"},
                  {"円", "千円", "万円"})  # fmt: skip


def _unit_fits(wanted: str, unit: str, comparator: str) -> bool:
    """Whether a value in ``unit`` can be of an indicator in ``wanted``: the same kind of unit, or
    no unit on either side (対前年度以上, 実施する), or a change by a share (…を5%減らす) of anything."""
    if not wanted or not unit or wanted == unit:
        return True
    if comparator in ("reduce_by", "increase_by") and unit == "%":
        return True
    return any(wanted in family and unit in family for family in _UNIT_FAMILIES)


# A part of an indicator, not the whole: by sex, by an age band, by level of support.
_BREAKDOWN = re.compile(
    r"男性|女性|[(（_](男|女)[)）_]|\d+\s*歳?\s*[~〜～\-]\s*\d+\s*歳|\d+\s*歳代|動機(づ|付)け支援|積極的支援"
    r"|[(（][^()（）]*(実施|委託|アウトソーシング|アウトソース|直営)分[)）]"  # who delivers a share of it
)
# Population words a generic word carries (組合員実施率, 被扶養者等受診率, 合計受診率, 喫煙率(本人)).
_POPULATION_WORDS = re.compile(r"被保険者|被扶養者等?|組合員|家族|本人|加入者|合計|全体|総数|計")
_NOTE = re.compile(r"\(※\d*\)|※\d*")
_WHITE = re.compile(r"\s+")


def compact(text: str | None) -> str:
    """Text as the catalogue's patterns see it: normalized, without white space or ※ marks."""
    return _NOTE.sub("", _WHITE.sub("", normalize_text(text or "")))


def generic_word(text: str) -> str:
    """The indicator without the population words it carries and the brackets they leave, and
    with a rate named twice said once: 組合員実施率 → 実施率, 実施率(受診率) → 実施率, 健診全体の実施率 →
    健診の実施率."""
    word = _POPULATION_WORDS.sub("", compact(text))
    word = re.sub(r"^\(([^()]*)\)$", r"\1", word)  # 被保険者(実施率): a row group and its row
    word = re.sub(r"\((?:[、・,]*|[^()]*率)\)", "", word)  # (), (受診率): nothing left, or the same rate
    return word.strip("の・、,")


def section_headings(path: str) -> list[str]:
    """The headings of a section path (``２．… > ①… > ⅰ）…``), outermost first."""
    return [part.strip() for part in (path or "").split(" > ") if part.strip()]


_INSURED = {"被保険者", "組合員", "本人", "任意継続被保険者"}
_DEPENDENTS = {"被扶養者", "被扶養者等", "家族"}
_ALL = {"全体", "合計", "計", "総数", "加入者", "全加入者"}


def normalized_population(population: str | None) -> str | None:
    """``insured``, ``dependents`` or ``all`` for the plan's words (被保険者, 組合員, 本人 → insured;
    被扶養者, 家族 → dependents; 全体, 合計, or insured and dependents together → all)."""
    if not population:
        return None
    found: set[str] = set()
    for word in re.split(r"[・、,/＋+]|及び|および|と|並びに", compact(population)):
        if word in _INSURED:
            found.add("insured")
        elif word in _DEPENDENTS:
            found.add("dependents")
        elif word in _ALL:
            found.add("all")
    if not found:
        return None
    return found.pop() if len(found) == 1 else "all"


# ---------------------------------------------------------------------------------------------
# Loading: the built-in file, extended by a user's


def _compile(entry: dict, key: str, where: str) -> tuple[re.Pattern[str], ...]:
    values = entry.get(key, [])
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CatalogueError(f"{where}: '{key}' must be a list of regular expressions (strings)")
    patterns = []
    for value in values:
        try:
            patterns.append(re.compile(value))
        except re.error as exc:
            raise CatalogueError(f"{where}: '{key}' has a bad regular expression {value!r}: {exc}") from None
    return tuple(patterns)


def _entries(text: str, source: str) -> list[dict]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source} is not valid TOML: {exc}") from None
    unknown_tables = set(data) - {"indicator"}
    if unknown_tables:
        first = sorted(unknown_tables)[0]
        raise CatalogueError(f"{source}: unknown table {first!r} (write [[indicator]] entries)")
    entries = data.get("indicator", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{source}: write each indicator as an [[indicator]] table")
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: indicator {entry.get('id', f'#{n}')!r}"
        if not isinstance(entry.get("id"), str) or not _ID.match(entry["id"]):
            raise CatalogueError(f"{where}: 'id' must be lower-case letters, digits and _ (smoking_rate)")
        unknown = set(entry) - _KEYS
        if unknown:
            known = ", ".join(sorted(_KEYS))
            raise CatalogueError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {known})")
        if entry.get("population") not in (None, *POPULATIONS):
            raise CatalogueError(f"{where}: 'population' must be one of {', '.join(POPULATIONS)}")
        for key in ("label", "unit", "counts"):
            if key in entry and not isinstance(entry[key], str):
                raise CatalogueError(f"{where}: '{key}' must be a string")
        if "program_rate" in entry and not isinstance(entry["program_rate"], bool):
            raise CatalogueError(f"{where}: 'program_rate' must be true or false")
        for key in _PATTERN_KEYS:
            entry[f"_{key}"] = _compile(entry, key, where)
    return entries


def _indicator(entry: dict, origin: str) -> Indicator:
    return Indicator(
        id=entry["id"], label=entry.get("label", entry["id"]), unit=entry.get("unit", ""),
        counts=entry.get("counts", ""), population=entry.get("population"),
        names=entry["_names"], generic=entry["_generic"], programs=entry["_programs"],
        program_rate=entry.get("program_rate", False), exclude=entry["_exclude"], origin=origin,
    )  # fmt: skip


def _extended(ind: Indicator, entry: dict, origin: str) -> Indicator:
    """A built-in indicator with a user's additions: more patterns, and any field given replaced."""
    return Indicator(
        id=ind.id, label=entry.get("label", ind.label), unit=entry.get("unit", ind.unit),
        counts=entry.get("counts", ind.counts), population=entry.get("population", ind.population),
        names=entry["_names"] + ind.names, generic=entry["_generic"] + ind.generic,
        programs=entry["_programs"] + ind.programs,
        program_rate=entry.get("program_rate", ind.program_rate),
        exclude=entry["_exclude"] + ind.exclude, origin=origin,
    )  # fmt: skip


@cache
def builtin_catalogue() -> Catalogue:
    """planex's own catalogue (schemas/indicators.toml)."""
    text = INDICATORS_FILE.read_text(encoding="utf-8")
    entries = _entries(text, INDICATORS_FILE.name)
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"{INDICATORS_FILE.name}: an id is given twice")
    for entry in entries:
        if "label" not in entry or "unit" not in entry:
            raise CatalogueError(f"{INDICATORS_FILE.name}: {entry['id']!r} needs a label and a unit")
    return Catalogue(tuple(_indicator(e, "planex") for e in entries))


def catalogue_from(user_text: str = "", source: str = "") -> Catalogue:
    """The built-in catalogue extended by a user's TOML text (``source`` names it in messages).

    An entry with a built-in id adds its patterns to that indicator (and replaces the label,
    unit, counts or population it gives); an entry with a new id is a new indicator, tried
    before the built-in ones, so that a user's specific indicator wins over a general one.
    """
    builtin = builtin_catalogue()
    if not user_text.strip():
        return builtin
    source = source or "the indicator catalogue"
    entries = _entries(user_text, source)
    known = {ind.id: ind for ind in builtin.indicators}
    new: list[Indicator] = []
    seen: set[str] = set()
    for entry in entries:
        ident = entry["id"]
        if ident in seen:
            raise CatalogueError(f"{source}: indicator {ident!r} is given twice (merge the two entries)")
        seen.add(ident)
        if ident in known:
            known[ident] = _extended(known[ident], entry, source)
        else:
            if "label" not in entry:
                raise CatalogueError(f"{source}: new indicator {ident!r} needs a 'label'")
            new.append(_indicator(entry, source))
    ordered = tuple(new) + tuple(known[ind.id] for ind in builtin.indicators)
    return Catalogue(ordered, user_text=user_text, user_source=source)


def load_catalogue(path: str | Path | None) -> Catalogue:
    """The built-in catalogue extended by the TOML file at ``path`` (or the built-in one alone)."""
    if path is None:
        return builtin_catalogue()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"no indicator catalogue at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read the indicator catalogue {path}: {exc}") from None
    return catalogue_from(text, path.name)


def labels() -> dict[str, str]:
    """id → label of the built-in catalogue."""
    return builtin_catalogue().labels()


# ---------------------------------------------------------------------------------------------
# A plan's records


def assign_indicators(kpis: list, catalogue: Catalogue | None = None) -> None:
    """Give each :class:`schemas.kpis.Kpi` its canonical id, rule and normalized population
    (once its program is known: a generic word takes its meaning from it)."""
    catalogue = catalogue or builtin_catalogue()
    for kpi in kpis:
        match = catalogue.map(
            kpi.indicator, program=kpi.program, section=kpi.section, context=kpi.context,
            population=kpi.population, unit=kpi.unit, comparator=kpi.comparator,
        )  # fmt: skip
        kpi.indicator_id = match.indicator_id or ""
        kpi.indicator_rule = match.rule
        kpi.population_norm = match.population_norm  # type: ignore[assignment]
