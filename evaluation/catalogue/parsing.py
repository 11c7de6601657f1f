"""Reading and validating the Bijlage 4 indicator catalogue files of
``fixtures/reference/indicators``: every file is checked completely, a
broken one refused with one line per problem naming the file, the item
and what is wrong."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from evaluation.derived import derived_path_problem
from evaluation.models import (
    EVALUATIONS,
    LEVELS,
    METHODS,
    SCALE5_CHOICES,
    AnswerType,
    Category,
    Moment,
    RecordedAt,
)
from evaluation.registration import registration_problems

CATALOGUE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference" / "indicators"

VAR_RE = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
CODE_RE = re.compile(r"^[a-z0-9_]+$")
CHOICE_TYPES = {AnswerType.CHOICE, AnswerType.MULTI_CHOICE}
ITEM_KEYS = {
    "var",
    "text",
    "answer_type",
    "moments",
    "choices",
    "note",
    "derived_from",
    "record_source",
    "recorded_at",
    "unit",
    "min",
    "max",
    "decimals",
    "condition",
    "registration",
    "items",
}
NUMBER_KEYS = {"unit", "min", "max", "decimals"}
#: answer types an item may be conditional on, and the answers they give
CONDITION_TYPES = {
    AnswerType.YES_NO,
    AnswerType.YES_NO_REASON,
    AnswerType.CHOICE,
    AnswerType.SCALE5,
}


class CatalogueError(ValidationError):
    """A catalogue file that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems, code="catalogue_invalid")
        self.problems = problems

    def __str__(self) -> str:
        return "Catalogue file refused:\n" + "\n".join(self.problems)


@dataclass
class _Seen:
    """What the checks of one file remember about the items read so far."""

    vars: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    topic: str = ""


@dataclass
class ParsedCatalogue:
    path: Path
    data: dict[str, Any]
    checksum: str
    vars: list[str] = field(default_factory=list)


def _subset(values: Any, allowed: set[str] | dict[str, str]) -> list[str]:
    if not isinstance(values, list):
        return ["<not a list>"]
    return [str(value) for value in values if value not in allowed]


def _answers_of(item: dict[str, Any]) -> set[str]:
    if item.get("answer_type") in (AnswerType.YES_NO, AnswerType.YES_NO_REASON):
        return {"yes", "no"}
    if item.get("answer_type") == AnswerType.SCALE5:
        return {code for code, _label in SCALE5_CHOICES}
    return {
        str(c.get("code")) for c in item.get("choices") or [] if isinstance(c, dict)
    }


def _check_number(item: dict[str, Any], label: str, problems: list[str]) -> None:
    given = NUMBER_KEYS & set(item)
    if item.get("answer_type") != AnswerType.NUMBER:
        if given:
            problems.append(f"{label}: {sorted(given)} only go with a number item")
        return
    if not str(item.get("unit") or "").strip():
        problems.append(f"{label}: a number item needs a unit")
    low, high = item.get("min"), item.get("max")
    for key, value in (("min", low), ("max", high)):
        if (
            value is None
            or isinstance(value, bool)
            or not isinstance(value, (int, float))
        ):
            problems.append(f"{label}: a number item needs a numeric {key}")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
        problems.append(f"{label}: min is above max")
    decimals = item.get("decimals", 0)
    if not isinstance(decimals, int) or not 0 <= decimals <= 2:
        problems.append(f"{label}: decimals must be 0, 1 or 2")


def _check_condition(
    item: dict[str, Any], label: str, level: str, problems: list[str], seen: _Seen
) -> None:
    condition = item.get("condition")
    if condition is None:
        return
    if not isinstance(condition, dict) or set(condition) != {"var", "answer"}:
        problems.append(f"{label}: condition needs exactly 'var' and 'answer'")
        return
    above = seen.items.get(str(condition["var"]))
    if above is None:
        problems.append(
            f"{label}: condition refers to {condition['var']!r}, which is not an "
            "item above it in this file"
        )
        return
    if above.get("answer_type") not in CONDITION_TYPES:
        problems.append(
            f"{label}: condition item {condition['var']!r} has no answer to "
            "depend on (yes/no, choice or scale only)"
        )
    elif str(condition["answer"]) not in _answers_of(above):
        problems.append(
            f"{label}: {condition['answer']!r} is not an answer of "
            f"{condition['var']!r}; known: {sorted(_answers_of(above))}"
        )
    if seen.topics.get(str(condition["var"])) != seen.topic:
        problems.append(
            f"{label}: condition item {condition['var']!r} is in another topic "
            "(it must be asked at the same moments)"
        )
    if seen.levels.get(str(condition["var"])) != level:
        problems.append(
            f"{label}: condition item {condition['var']!r} is recorded at another level"
        )


def _check_item(
    item: Any,
    where: str,
    problems: list[str],
    seen: _Seen,
    depth: int,
    topic_level: str,
) -> None:
    if not isinstance(item, dict):
        problems.append(f"{where}: an item must be a mapping")
        return
    var = str(item.get("var", ""))
    label = f"{where}, item {var or '<no var>'}"
    if not VAR_RE.match(var):
        problems.append(f"{label}: variable name must match {VAR_RE.pattern}")
    elif var in seen.vars:
        problems.append(f"{label}: variable name already used in {seen.vars[var]}")
    else:
        seen.vars[var] = where
    unknown_keys = set(item) - ITEM_KEYS
    if unknown_keys:
        problems.append(f"{label}: unknown keys {sorted(unknown_keys)}")
    if not str(item.get("text", "")).strip():
        problems.append(f"{label}: text is empty")
    answer_type = item.get("answer_type")
    if answer_type not in AnswerType.values:
        problems.append(f"{label}: unknown answer type {answer_type!r}")
    bad_moments = _subset(item.get("moments", []), set(Moment.values))
    if bad_moments:
        problems.append(f"{label}: unknown moments {bad_moments}")
    choices = item.get("choices") or []
    if answer_type in CHOICE_TYPES:
        codes = [c.get("code") for c in choices if isinstance(c, dict)]
        if not choices or len(codes) != len(choices) or None in codes:
            problems.append(f"{label}: a choice item needs choices with code and label")
        elif len(set(codes)) != len(codes):
            problems.append(f"{label}: duplicate choice codes")
    elif choices:
        problems.append(f"{label}: choices given for answer type {answer_type!r}")
    level = item.get("recorded_at", topic_level)
    if level not in RecordedAt.values:
        problems.append(f"{label}: recorded_at must be one of {RecordedAt.values}")
    derived = item.get("derived_from") or ""
    if derived:
        problem = derived_path_problem(str(derived))
        if problem:
            problems.append(f"{label}: derived_from {derived!r}: {problem}")
        if level != RecordedAt.PERSON:
            problems.append(
                f"{label}: derived_from needs an item recorded per person "
                "(a KV-level form has no stay to read it from)"
            )
    _check_number(item, label, problems)
    _check_condition(item, label, level, problems, seen)
    problems.extend(f"{label}: {problem}" for problem in registration_problems(item))
    seen.items[var] = item
    seen.levels[var] = level
    seen.topics[var] = seen.topic
    children = item.get("items") or []
    if answer_type == AnswerType.GROUP and not children:
        problems.append(f"{label}: a group item needs sub-items")
    if children and answer_type != AnswerType.GROUP:
        problems.append(f"{label}: only a group item may have sub-items")
    if children and depth >= 2:
        problems.append(f"{label}: sub-items may not have sub-items")
    for child in children:
        _check_item(child, where, problems, seen, depth + 1, level)


def topic_recorded_at(topic: dict[str, Any]) -> str:
    """The file's ``recorded_at`` of a topic, else the rule of
    ``Topic.default_recorded_at``: KV only for topics with no person level."""
    if "recorded_at" in topic:
        return str(topic["recorded_at"])
    levels = topic.get("levels") or []
    return (
        RecordedAt.KV
        if "kv" in levels and "persoon" not in levels
        else RecordedAt.PERSON
    )


def parse_catalogue_file(
    path: Path, seen: dict[str, str] | None = None
) -> ParsedCatalogue:
    """Read and validate one file; raises CatalogueError listing every problem."""
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8")
        # The C loader when present: five files of ~700 lines load 5x faster.
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError([f"{name}: cannot be read: {error}"]) from error
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise CatalogueError([f"{name}: expected a mapping with a 'topics' list"])
    problems: list[str] = []
    seen = {} if seen is None else seen
    local = _Seen()
    if not str(data.get("site", "")).strip():
        problems.append(f"{name}: 'site' is missing")
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        problems.append(f"{name}: 'version' must be a positive number")
    if not isinstance(data.get("valid_from"), datetime.date):
        problems.append(f"{name}: 'valid_from' must be a date (YYYY-MM-DD)")
    codes: set[str] = set()
    for topic in data["topics"]:
        if not isinstance(topic, dict):
            problems.append(f"{name}: a topic must be a mapping")
            continue
        code = str(topic.get("code", ""))
        where = f"{name}, topic {code or '<no code>'}"
        if not CODE_RE.match(code) or code in codes:
            problems.append(f"{where}: topic code missing, malformed or repeated")
        codes.add(code)
        if topic.get("category") not in Category.values:
            problems.append(f"{where}: unknown category {topic.get('category')!r}")
        for key, allowed in (
            ("evaluations", EVALUATIONS),
            ("methods", METHODS),
            ("levels", LEVELS),
        ):
            bad = _subset(topic.get(key, []), allowed)
            if bad:
                problems.append(f"{where}: unknown {key} {bad}")
        if not topic.get("items"):
            problems.append(f"{where}: the topic has no items")
        topic_level = topic_recorded_at(topic)
        local.topic = code
        if topic_level not in RecordedAt.values:
            problems.append(f"{where}: recorded_at must be one of {RecordedAt.values}")
        for item in topic.get("items") or []:
            _check_item(item, f"{name}, topic {code}", problems, local, 1, topic_level)
    for var, where in local.vars.items():
        if var in seen:
            problems.append(
                f"{where}, item {var}: variable name also used in {seen[var]}"
            )
        else:
            seen[var] = name
    if problems:
        raise CatalogueError(problems)
    # The registration map says where a value is held today, not what was
    # asked: a changed map is applied in place and makes no new version.
    canonical = json.dumps(_without_registration(data), sort_keys=True, default=str)
    return ParsedCatalogue(
        path=path,
        data=data,
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
        vars=list(local.vars),
    )


def _without_registration(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_registration(entry)
            for key, entry in value.items()
            if key != "registration"
        }
    if isinstance(value, list):
        return [_without_registration(entry) for entry in value]
    return value


def parse_catalogue_dir(directory: Path = CATALOGUE_DIR) -> list[ParsedCatalogue]:
    """Validate every file together, so variable names are unique across sites."""
    seen: dict[str, str] = {}
    parsed: list[ParsedCatalogue] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            parsed.append(parse_catalogue_file(path, seen))
        except CatalogueError as error:
            problems.extend(error.problems)
    if problems:
        raise CatalogueError(problems)
    return parsed
