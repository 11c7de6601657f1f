"""``__in`` on integer columns that ignores values no column can hold.

Django (5.0+) already treats an out-of-range integer in an exact lookup as
"matches nothing"; ``__in`` was left out, so on SQLite a posted id such as
99999999999999999999999 in a multiple-choice field raised OverflowError (a
500) instead of "select a valid choice". Such values can match no row, so
they are dropped from the list before the query is built.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
