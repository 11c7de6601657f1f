"""Fill the answer counts of every measurement that has answers, in one
INSERT ... SELECT (set-based; the same on SQLite and PostgreSQL)."""

from django.db import migrations
from django.db.models import Count, Q

REASONS = ("not_asked", "refused", "unknown", "not_applicable")


def fill(apps, schema_editor):
    Answer = apps.get_model("evaluation", "Answer")
    AnswerCount = apps.get_model("evaluation", "MeasurementAnswerCount")
    rows = (
        Answer.objects.order_by()
        .values("measurement_id")
        .annotate(
            answered=Count("pk", filter=Q(missing_reason="")),
            **{
                f"missing_{reason}": Count("pk", filter=Q(missing_reason=reason))
                for reason in REASONS
            },
        )
    )
    sql, params = rows.query.sql_with_params()
    quote = schema_editor.connection.ops.quote_name
    columns = ["measurement_id", "answered", *(f"missing_{r}" for r in REASONS)]
    schema_editor.execute(
        f"INSERT INTO {quote(AnswerCount._meta.db_table)} "
        f"({', '.join(map(quote, columns))}) {sql}",
        params,
    )


def empty(apps, schema_editor):
    apps.get_model("evaluation", "MeasurementAnswerCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0011_measurement_answer_count")]

    operations = [migrations.RunPython(fill, empty)]
