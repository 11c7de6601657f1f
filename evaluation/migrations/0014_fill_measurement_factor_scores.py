"""Fill the protective-factor scores of every measurement from its answers
and fixtures/reference/protective_factors.yaml, in one INSERT ... SELECT
(set-based; the same on SQLite and PostgreSQL)."""

from pathlib import Path

import yaml
from django.conf import settings
from django.db import migrations
from django.db.models import Case, CharField, Count, IntegerField, Sum, Value, When

FACTORS_FILE = (
    Path(settings.BASE_DIR) / "fixtures" / "reference" / "protective_factors.yaml"
)


def fill(apps, schema_editor):
    Answer = apps.get_model("evaluation", "Answer")
    FactorScore = apps.get_model("evaluation", "MeasurementFactorScore")
    config = yaml.safe_load(FACTORS_FILE.read_text(encoding="utf-8"))
    scores = config["scores"]
    factors = config["factors"]
    rows = (
        Answer.objects.order_by()
        .filter(
            item__var__in=[var for factor in factors for var in factor["vars"]],
            value__in=list(scores),
        )
        .annotate(
            factor_code=Case(
                *(
                    When(item__var__in=factor["vars"], then=Value(factor["code"]))
                    for factor in factors
                ),
                output_field=CharField(),
            ),
            score=Case(
                *(When(value=label, then=Value(n)) for label, n in scores.items()),
                output_field=IntegerField(),
            ),
        )
        .values(
            "measurement_id",
            "measurement__stay__site_id",
            "measurement__moment",
            "measurement__stay__ended_on",
            "factor_code",
        )
        .annotate(score_sum=Sum("score"), answered=Count("pk"))
    )
    sql, params = rows.query.sql_with_params()
    quote = schema_editor.connection.ops.quote_name
    columns = [
        "measurement_id",
        "site_id",
        "moment",
        "stay_ended_on",
        "factor",
        "score_sum",
        "answered",
    ]
    schema_editor.execute(
        f"INSERT INTO {quote(FactorScore._meta.db_table)} "
        f"({', '.join(map(quote, columns))}) {sql}",
        params,
    )


def empty(apps, schema_editor):
    apps.get_model("evaluation", "MeasurementFactorScore").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0013_measurement_factor_score")]

    operations = [migrations.RunPython(fill, empty)]
