"""The Django side of :mod:`diaodu.engine.cleaning`: form fields and API-schema types that clean
input with the engine's functions, so a form, an API call, a service and an import read "1.5亿",
"１２３．５", "2026/3/5" the same way and refuse NUL or a lone surrogate with the same Chinese
message naming the field.

Forms::

    total_investment = AmountField(label="总投资（万元）", required=False)   # 万元, ≥ 0

API schemas (django-ninja / pydantic)::

    class In(Schema):
        invested: cleaned(cleaning.amount, "本期完成投资", minimum=None)

The label a message names is the field's label without its unit in brackets ("总投资（万元）" →
"总投资"), or *what* when given.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from pydantic import BeforeValidator

from diaodu.engine import cleaning
from diaodu.i18n import tr

__all__ = [
    "AmountField",
    "CleanDateField",
    "CleanTextField",
    "NumberField",
    "WholeNumberField",
    "cleaned",
    "plain_label",
]

_UNIT_SUFFIX = re.compile(r"[（(][^（）()]*[）)]$")


def plain_label(label: Any) -> str:
    """A field label without its unit: "总投资（万元）" → "总投资"."""
    return _UNIT_SUFFIX.sub("", str(label or "")).strip() or str(label or "")


class _Cleaned:
    """Mixin: ``to_python`` runs a cleaning function; a CleaningError becomes a form error."""

    cleaner = staticmethod(cleaning.text)

    def __init__(self, *args, what: str | None = None, clean_kwargs: dict | None = None, **kw):
        super().__init__(*args, **kw)
        self.what = what
        self.clean_kwargs = clean_kwargs or {}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return type(self).cleaner(
                value, self.what or plain_label(self.label), **self.clean_kwargs
            )
        except cleaning.CleaningError as exc:
            raise ValidationError(tr(exc.message), code="invalid") from None


class AmountField(_Cleaned, forms.DecimalField):
    """An amount in 万元 (``clean_kwargs={"unit": "亿元"}`` for 亿元); "1.5亿" is 15000 万元."""

    cleaner = staticmethod(cleaning.amount)

    def __init__(self, *args, max_digits=14, decimal_places=2, **kw):
        super().__init__(*args, max_digits=max_digits, decimal_places=decimal_places, **kw)


class NumberField(_Cleaned, forms.DecimalField):
    """A plain number (亩, 人 …): ≥ 0 unless ``clean_kwargs={"minimum": None}``."""

    cleaner = staticmethod(cleaning.decimal_value)

    def __init__(self, *args, decimal_places=2, **kw):
        kw.setdefault("clean_kwargs", {}).setdefault("places", decimal_places)
        super().__init__(*args, decimal_places=decimal_places, **kw)


class WholeNumberField(_Cleaned, forms.IntegerField):
    """A whole number ("12", "1,200", "１２"); ``min_value``/``max_value`` as Django's."""

    cleaner = staticmethod(cleaning.integer)


class CleanDateField(_Cleaned, forms.DateField):
    """A day in any office format (2026-03-05, 2026/3/5, 2026年3月5日, 20260305)."""

    cleaner = staticmethod(cleaning.date_value)


class CleanTextField(_Cleaned, forms.CharField):
    """Text without NUL, control characters or lone surrogates."""

    cleaner = staticmethod(cleaning.text)

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        kwargs = {"max_length": None, **self.clean_kwargs}
        try:
            return cleaning.text(value, self.what or plain_label(self.label), **kwargs)
        except cleaning.CleaningError as exc:
            raise ValidationError(tr(exc.message), code="invalid") from None


def cleaned(fn, label: str, type_: Any = Any, **kwargs) -> Any:
    """An API-schema type (shown in OpenAPI as *type_*) whose raw value goes through *fn* (a
    cleaning function) before validation; a CleaningError (a ValueError) becomes the 422
    message. Bounds are usually left to the service (``minimum=None``), so that the API answers
    a negative amount with the same field error as the page."""
    return Annotated[type_, BeforeValidator(lambda value: fn(value, label, **kwargs))]
