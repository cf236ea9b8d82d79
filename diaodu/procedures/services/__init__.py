"""Every write of the procedures app: the holiday calendar, templates (versioned), per-project
chains and their items, attachments, and the stored schedules.

Each business write checks the person's permission key and scope, validates with Chinese
messages (ValidationError naming the field; nothing is changed on error), saves inside a
transaction, appends the audit entry, and recomputes the chain's schedule in the same
transaction. Stored schedule results are derived data: recomputing them is not audited per
row (a bulk recompute writes one audit entry for the run).

Split by topic: ``holidays``, ``templates``, ``chains``, ``attachments``, ``scheduling``;
``common`` holds limits, labels and the small parsers. Callers keep one name:
``from diaodu.procedures import services; services.update_item(...)``.
"""

from .attachments import ALLOWED_FILES, add_attachment, check_upload, delete_attachment
from .chains import (
    HANDLER_FIELDS,
    ITEM_TEXT_FIELDS,
    ConflictError,
    add_item,
    chain_has_records,
    check_item_write,
    create_chain,
    delete_chain,
    match_units,
    remove_item,
    update_item,
)
from .common import (
    CODE_RE,
    DEP_RE,
    MAX_DURATION,
    STAGE_LABELS,
    STATUS_LABELS,
    TEMPLATE_CODE_RE,
    at_risk_threshold,
    parse_date,
    parse_documents,
    parse_duration,
    parse_duration_unit,
    parse_predecessors,
)
from .holidays import save_holiday_year
from .scheduling import (
    CHAIN_RESULT_FIELDS,
    EMPTY_RESULT,
    ITEM_COLS,
    RESULT_FIELDS,
    RecomputeStats,
    compute,
    ensure_fresh,
    recompute_all,
    recompute_chain,
)
from .templates import save_template

__all__ = [
    "ALLOWED_FILES",
    "CHAIN_RESULT_FIELDS",
    "CODE_RE",
    "ConflictError",
    "HANDLER_FIELDS",
    "DEP_RE",
    "EMPTY_RESULT",
    "ITEM_COLS",
    "ITEM_TEXT_FIELDS",
    "MAX_DURATION",
    "RESULT_FIELDS",
    "RecomputeStats",
    "STAGE_LABELS",
    "STATUS_LABELS",
    "TEMPLATE_CODE_RE",
    "add_attachment",
    "add_item",
    "at_risk_threshold",
    "chain_has_records",
    "check_item_write",
    "check_upload",
    "compute",
    "create_chain",
    "delete_attachment",
    "delete_chain",
    "ensure_fresh",
    "match_units",
    "parse_date",
    "parse_documents",
    "parse_duration",
    "parse_duration_unit",
    "parse_predecessors",
    "recompute_all",
    "recompute_chain",
    "remove_item",
    "save_holiday_year",
    "save_template",
    "update_item",
]
