"""Every write to the ledger: create, edit (optimistic locking), stage moves, saved filters and
Excel import. Each checks the person's permission and scope, validates with Chinese messages,
saves in a transaction and appends the audit entry.

Split by topic: ``fields``, ``validation``, ``editing``, ``saved_filters``, ``importing`` and
``import_jobs``. Callers keep one name: ``from diaodu.projects import services;
services.create_project(...)``.
"""

from .editing import (
    changes_since,
    conflict_message,
    create_project,
    settle_unknown_stage_dates,
    transition,
    update_project,
)
from .fields import (
    DATE_FIELDS,
    FIELD_LABELS,
    INDUSTRY_RE,
    MONEY_FIELDS,
    PLAIN_FIELDS,
    TEXT_FIELDS,
    ConflictError,
)
from .import_jobs import IMPORT_DIR, confirm_import, start_import
from .importing import ACTION_LABELS, CLEAR_MARKER, STAGE_WORDS, ImportReport, import_ledger
from .saved_filters import delete_filter, save_filter
from .validation import clean, parse_industry

__all__ = [
    "ACTION_LABELS",
    "CLEAR_MARKER",
    "ConflictError",
    "DATE_FIELDS",
    "FIELD_LABELS",
    "IMPORT_DIR",
    "INDUSTRY_RE",
    "ImportReport",
    "MONEY_FIELDS",
    "PLAIN_FIELDS",
    "STAGE_WORDS",
    "TEXT_FIELDS",
    "changes_since",
    "clean",
    "confirm_import",
    "conflict_message",
    "create_project",
    "delete_filter",
    "import_ledger",
    "parse_industry",
    "save_filter",
    "settle_unknown_stage_dates",
    "start_import",
    "transition",
    "update_project",
]
