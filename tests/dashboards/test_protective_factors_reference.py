"""The protective-factor definitions are reference data: every item they
name is a five-point item of a Bijlage 4 catalogue, asked at the moments the
change is computed for."""

from pathlib import Path

import yaml
from django.conf import settings

from dashboards.selectors.outcomes import (
    FACTOR_MOMENTS,
    FACTORS_FILE,
    protective_factors,
)


def _catalogue_items() -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(items: list[dict]) -> None:
        for item in items:
            found[item["var"]] = item
            walk(item.get("items") or [])

    folder = Path(settings.BASE_DIR) / "fixtures/reference/indicators"
    for path in folder.glob("*.yaml"):
        for topic in yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]:
            walk(topic["items"])
    return found


def test_every_protective_factor_var_is_a_scale_item_of_a_catalogue():
    assert FACTORS_FILE.parent == Path(settings.BASE_DIR) / "fixtures/reference"
    items = _catalogue_items()
    factors = protective_factors()["factors"]
    assert len(factors) == 8
    for factor in factors:
        assert factor["vars"], factor["code"]
        for var in factor["vars"]:
            assert var in items, f"{factor['code']}: {var} in no catalogue"
            item = items[var]
            assert item["answer_type"] == "scale5", var
            assert set(FACTOR_MOMENTS) <= set(item.get("moments", ())), var
