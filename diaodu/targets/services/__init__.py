"""Every write of targets: indicators, agreements (sign, scan, amend), monthly values (form and
Excel import), reminders (催报), economic series, assessment schemes and score sets.

Each function checks the permission key and the unit scope, validates with Chinese messages,
saves inside a transaction and appends the audit entry. Bad input raises ValidationError and
changes nothing.

Split by topic: ``indicators``, ``agreements``, ``monthly`` (values, import, reminders),
``economy``, ``assessment``; ``common`` holds the shared checks. Callers keep one name:
``from diaodu.targets import services; services.save_monthly(...)``.
"""

from .agreements import (
    amend_agreement,
    attach_scan,
    create_agreement,
    sign_agreement,
    update_agreement,
)
from .assessment import (
    record_historical,
    remove_criterion,
    run_assessment,
    save_scheme,
    set_adjustment,
    set_adjustment_count,
    set_criterion,
)
from .common import CODE_RE, MAX_VALUE, SCAN_EXTS, parse_decimal
from .economy import (
    ECONOMY_COLUMNS,
    EconomyRow,
    import_economy,
    save_economic_value,
    save_peer_group,
    save_region,
)
from .economy import _save_economy as _save_economy  # used by the demo
from .indicators import INDICATOR_FIELDS, save_indicator
from .monthly import (
    MONTHLY_COLUMNS,
    Entry,
    ImportReport,
    import_monthly,
    remind,
    save_monthly,
    save_monthly_entries,
    set_deadline,
)

__all__ = [
    "CODE_RE",
    "ECONOMY_COLUMNS",
    "EconomyRow",
    "Entry",
    "INDICATOR_FIELDS",
    "ImportReport",
    "MAX_VALUE",
    "MONTHLY_COLUMNS",
    "SCAN_EXTS",
    "amend_agreement",
    "attach_scan",
    "create_agreement",
    "import_economy",
    "import_monthly",
    "parse_decimal",
    "record_historical",
    "remind",
    "remove_criterion",
    "run_assessment",
    "save_economic_value",
    "save_indicator",
    "save_monthly",
    "save_monthly_entries",
    "save_peer_group",
    "save_region",
    "save_scheme",
    "set_adjustment",
    "set_adjustment_count",
    "set_criterion",
    "set_deadline",
    "sign_agreement",
    "update_agreement",
]
