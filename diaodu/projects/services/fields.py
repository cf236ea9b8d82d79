"""The ledger's editable fields by kind, their labels, and the edit-conflict error."""

from __future__ import annotations

import re

from diaodu.projects.models import (
    Project,
)

DATE_FIELDS = (
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_production_date",
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
)
MONEY_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
    "expected_output",
    "expected_tax",
)
TEXT_FIELDS = (
    "name",
    "investor",
    "content_scale",
    "address",
    "progress_text",
    "issues_text",
    "remarks",
)
PLAIN_FIELDS = (
    TEXT_FIELDS
    + MONEY_FIELDS
    + DATE_FIELDS
    + (
        "national_code",
        "industry_code",
        "industry_text",
        "latitude",
        "longitude",
        "land_area_mu",
        "plan_category",
        "level",
        "expected_jobs",
        "lead_officials_text",
        "secretary_text",
        "responsible_unit_text",
        "date_precision",
        "plan_year",
    )
)
FIELD_LABELS = {
    f.name: str(f.verbose_name) for f in Project._meta.get_fields() if hasattr(f, "verbose_name")
}
INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2,4})?$")


class ConflictError(Exception):
    """Someone else saved the project since this person loaded it."""

    def __init__(self, message: str, changes: list[dict]):
        super().__init__(message)
        self.changes = changes
