""" "Today" for the procedures app, in one place so that tests can pin it."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
