"""Measurement forms generated from the catalogue items of a site and moment."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedFormMixin
from core.dates import PlausibleDateFormField
from core.service_forms import DateInput, add_service_errors
from evaluation.derived import DerivedValue, resolve, source_label
from evaluation.models import AnswerType, Item, MissingReason
from evaluation.services import (
    ITEM_NEEDS_VALUE_OR_REASON,
    AnswerInput,
    MeasurementIncompleteError,
)

YES_NO = [("", "-"), ("yes", _("yes")), ("no", _("no"))]
#: which field of an item a refused save marks, by the service's error code
FIELD_OF_ERROR = {
    "source_required": "s",
    "out_of_range": "v",
    "not_called_for": "v",
    "reason_with_yes": "r",
    "reason_required": "r",
}
MISSING_CHOICES = [("", "-"), *MissingReason.choices]


@dataclass
class ItemRow:
    """One item on the form: its fields, or the registered value when derived."""

    item: Item
    derived: DerivedValue | None
    derived_display: str
    derived_source: str
    value: forms.BoundField | None
    missing: forms.BoundField | None
    reason: forms.BoundField | None
    source: forms.BoundField | None
    checked_on: forms.BoundField | None
    #: the answer above does not call for this follow-up question (yet)
    hidden: bool = False
    #: "if no: reason why not" stays out of sight unless the answer is no
    reason_hidden: bool = False
    #: the item above, for "asked when ... is ..."
    above: Item | None = None
    above_answer: str = ""
    #: read by screen readers after the item's text, so that two items with
    #: the same wording (in another group or topic) have different labels
    context: str = ""


def _value_field(item: Item) -> forms.Field:
    label = item.label_with_unit
    match item.answer_type:
        case AnswerType.YES_NO | AnswerType.YES_NO_REASON:
            return forms.ChoiceField(label=label, choices=YES_NO, required=False)
        case AnswerType.SCALE5 | AnswerType.CHOICE:
            return forms.ChoiceField(
                label=label, choices=[("", "-"), *item.choice_pairs()], required=False
            )
        case AnswerType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                choices=item.choice_pairs(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        case AnswerType.NUMBER:
            # The plausible range is checked by the save service, which
            # names the item, the range and the unit in its message.
            attrs = {"step": "1" if not item.decimals else f"{10**-item.decimals}"}
            if item.min_value is not None:
                attrs["min"] = f"{item.min_value.normalize():f}"
            if item.max_value is not None:
                attrs["max"] = f"{item.max_value.normalize():f}"
            return forms.DecimalField(
                label=label,
                required=False,
                max_digits=12,
                decimal_places=item.decimals,
                widget=forms.NumberInput(attrs=attrs),
            )
        case AnswerType.DATE:
            return PlausibleDateFormField(
                label=label, required=False, widget=DateInput()
            )
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _to_json(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if value == "yes":
        return True
    if value == "no":
        return False
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(item: Item, value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class MeasurementForm(VersionedFormMixin, forms.Form):
    """Fields per item: ``v_<var>`` value, ``m_<var>`` missing-data reason,
    ``r_<var>`` reason/notes, ``s_<var>``/``c_<var>`` source and date checked.

    Derived items get no fields: the registered value is shown instead.
    """

    def __init__(
        self,
        *args: Any,
        items: list[Item],
        answers: dict[int, Any],
        stay: Any = None,
        version: int,
        notes_label: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.items = items
        self.notes_label = notes_label
        self.derived: dict[int, DerivedValue | None] = {}
        for item in items:
            derived = (
                resolve(item.derived_from, stay) if item.derived_from and stay else None
            )
            self.derived[item.pk] = derived
            if derived is not None:
                continue
            answer = answers.get(item.pk)
            var = item.var
            self.fields[f"v_{var}"] = _value_field(item)
            self.fields[f"m_{var}"] = forms.ChoiceField(
                label=_("missing because"), choices=MISSING_CHOICES, required=False
            )
            if item.answer_type == AnswerType.YES_NO_REASON or notes_label:
                self.fields[f"r_{var}"] = forms.CharField(
                    label=notes_label or _("if no: reason why not"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            if item.record_source:
                self.fields[f"s_{var}"] = forms.CharField(
                    label=_("source"), required=False, max_length=200
                )
                self.fields[f"c_{var}"] = PlausibleDateFormField(
                    label=_("date checked"), required=False, widget=DateInput()
                )
            if answer is not None:
                self.initial.update(
                    {
                        f"v_{var}": _from_json(item, answer.value),
                        f"m_{var}": answer.missing_reason,
                        f"r_{var}": answer.reason_text,
                        f"s_{var}": answer.source,
                        f"c_{var}": answer.checked_on,
                    }
                )

    def _form_value(self, item: Item, prefix: str = "v") -> str:
        """An item's answer as the form holds it now: what was typed, else
        what is stored, else the registered value of a derived item."""
        derived = self.derived.get(item.pk)
        if derived is not None:
            return str(_from_json(item, derived.value))
        name = f"{prefix}_{item.var}"
        if self.is_bound:
            return str(self.data.get(name, "") or "")
        value = self.initial.get(name)
        return "" if value in (None, []) else str(value)

    def _hidden_as_not_called_for(self, item: Item, by_var: dict[str, Item]) -> bool:
        above = by_var.get(item.condition_var) if item.condition else None
        if above is None:
            return False
        if self._form_value(above, "m"):
            return True
        answer = self._form_value(above)
        return bool(answer) and answer != str(item.condition.get("answer"))

    def rows(self) -> list[ItemRow]:
        by_var = {item.var: item for item in self.items}
        rows = []
        for item in self.items:
            derived = self.derived[item.pk]

            def bound(prefix: str, item: Item = item) -> forms.BoundField | None:
                name = f"{prefix}_{item.var}"
                return self[name] if name in self.fields else None

            row = ItemRow(
                item=item,
                derived=derived,
                derived_display=(
                    item.display(derived.value)
                    if derived is not None and isinstance(derived.value, bool)
                    else (derived.display if derived else "")
                ),
                derived_source=source_label(derived.source) if derived else "",
                value=bound("v"),
                missing=bound("m"),
                reason=bound("r"),
                source=bound("s"),
                checked_on=bound("c"),
                above=by_var.get(item.condition_var) if item.condition else None,
            )
            if row.above is not None:
                row.above_answer = row.above.display(item.condition_value)
            fields = [f for f in (row.value, row.missing, row.reason) if f]
            has_input = any(f.errors or f.value() not in (None, "") for f in fields)
            row.hidden = (
                derived is None
                and not has_input
                and self._hidden_as_not_called_for(item, by_var)
            )
            if row.reason is not None and not self.notes_label:
                row.reason_hidden = (
                    self._form_value(item) != "no"
                    and not row.reason.errors
                    and not row.reason.value()
                )
            parts = [
                item.parent.text if item.parent_id else "",
                row.above.text if row.above is not None else "",
            ]
            row.context = "; ".join(part for part in parts if part)
            rows.append(row)
        seen: dict[str, int] = {}
        for row in rows:
            key = f"{row.item.text}|{row.context}"
            seen[key] = seen.get(key, 0) + 1
        for row in rows:
            if seen[f"{row.item.text}|{row.context}"] > 1:
                row.context = "; ".join(
                    part for part in (row.item.topic.title, row.context) if part
                )
        return rows

    def show_refusal(self, error: ValidationError) -> None:
        """Explain a refused save above the form and at each item concerned;
        the bound data stays, so nothing typed is lost."""
        add_service_errors(self, error)
        if isinstance(error, MeasurementIncompleteError):
            for item in error.items:
                self._mark(item, "m", str(ITEM_NEEDS_VALUE_OR_REASON))
        by_var = {item.var: item for item in self.items}
        for part in getattr(error, "error_list", []):
            params = part.params or {}
            item = by_var.get(params.get("var", ""))
            if item is not None:
                prefix = FIELD_OF_ERROR.get(part.code or "", "m")
                self._mark(item, prefix, str(part.message % params))

    def _mark(self, item: Item, prefix: str, message: str) -> None:
        name = f"{prefix}_{item.var}"
        if name in self.fields and not self.has_error(name):
            self.add_error(name, message)

    def answer_inputs(self) -> dict[Item, AnswerInput]:
        """What was entered, per asked item; derived items are stored as given."""
        data = self.cleaned_data
        result: dict[Item, AnswerInput] = {}
        for item in self.items:
            derived = self.derived[item.pk]
            if derived is not None:
                result[item] = AnswerInput(value=derived.value)
                continue
            var = item.var
            result[item] = AnswerInput(
                value=_to_json(data.get(f"v_{var}")),
                missing_reason=data.get(f"m_{var}") or "",
                reason_text=data.get(f"r_{var}") or "",
                source=data.get(f"s_{var}") or "",
                checked_on=data.get(f"c_{var}"),
            )
        return result


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
    )


class KvMeasurementCreateForm(forms.Form):
    period_start = PlausibleDateFormField(label=_("period from"), widget=DateInput())
    period_end = PlausibleDateFormField(label=_("period until"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data
