"""The protective-factor definition is evaluation's reference data: every
item it names is a five-point item of a Bijlage 4 catalogue asked at the
moments the change is computed for, every score label is an answer of that
scale, and no other app reads the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from evaluation.catalogue import parse_catalogue_dir
from evaluation.models import SCALE5_CHOICES
from evaluation.protective_factors import (
    FACTOR_MOMENTS,
    FACTORS_FILE,
    check_protective_factors,
    protective_factors,
)


def _catalogue_items() -> dict[str, tuple[str, dict]]:
    """Every item of the catalogue files: var -> (site, item)."""
    found: dict[str, tuple[str, dict]] = {}

    def walk(site: str, items: list[dict]) -> None:
        for item in items:
            found[item["var"]] = (site, item)
            walk(site, item.get("items") or [])

    for parsed in parse_catalogue_dir():
        for topic in parsed.data["topics"]:
            walk(parsed.data["site"], topic["items"])
    return found


def test_the_definition_is_reference_data_loaded_by_evaluation():
    assert FACTORS_FILE.parent == Path(settings.BASE_DIR) / "fixtures/reference"
    assert len(protective_factors()["factors"]) == 8


def test_every_factor_var_is_a_scale_item_of_a_catalogue_asked_at_the_moments():
    items = _catalogue_items()
    for factor in protective_factors()["factors"]:
        for var in factor["vars"]:
            assert var in items, f"{factor['code']}: {var} in no catalogue"
            _site, item = items[var]
            assert item["answer_type"] == "scale5", var
            assert set(FACTOR_MOMENTS) <= set(item.get("moments", ())), var


def test_a_factor_names_at_most_one_item_per_site():
    # so a measurement holds at most one scored answer per factor, and the
    # case list (a line per measurement and factor) has as many lines as
    # the figure counts answers
    items = _catalogue_items()
    for factor in protective_factors()["factors"]:
        sites = [items[var][0] for var in factor["vars"]]
        assert len(sites) == len(set(sites)), factor["code"]


def test_every_score_label_is_an_answer_of_the_five_point_scale():
    scores = protective_factors()["scores"]
    assert set(scores) == {code for code, _label in SCALE5_CHOICES}
    assert sorted(scores.values()) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"factors": [{"code": "a", "name": "A"}], "scores": {"positief": 4}},
            "needs a code, a name and vars",
        ),
        (
            {
                "factors": [
                    {"code": "a", "name": "A", "vars": ["x"]},
                    {"code": "a", "name": "B", "vars": ["y"]},
                ],
                "scores": {"positief": 4},
            },
            "defined twice",
        ),
        (
            {
                "factors": [
                    {"code": "a", "name": "A", "vars": ["x"]},
                    {"code": "b", "name": "B", "vars": ["x"]},
                ],
                "scores": {"positief": 4},
            },
            "more than one factor",
        ),
        (
            {"factors": [{"code": "a", "name": "A", "vars": ["x"]}], "scores": {}},
            "whole number",
        ),
        (
            {
                "factors": [{"code": "a", "name": "A", "vars": ["x"]}],
                "scores": {"positief": "veel"},
            },
            "whole number",
        ),
    ],
)
def test_a_definition_no_score_sum_could_be_kept_for_is_refused(data, problem):
    with pytest.raises(ValueError, match=problem):
        check_protective_factors(data)


OTHER_APPS = ("core", "partners", "intake", "trajectories", "steering", "dashboards")


def test_no_other_app_reads_the_definition_file():
    root = Path(settings.BASE_DIR)
    readers = [
        str(path.relative_to(root))
        for app in OTHER_APPS
        for path in (root / app).rglob("*.py")
        if "protective_factors.yaml" in path.read_text(encoding="utf-8")
    ]
    assert readers == []
