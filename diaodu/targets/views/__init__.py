"""Target pages: progress against 序时进度, agreements, drill-down, monthly entry and import,
催报, economy ranking, assessment and documents, and the leaders' cockpit.

Split by topic into ``*_pages`` modules (named so that no module hides a view of the same
name); ``common`` holds the shared helpers. ``urls.py`` keeps one name: ``views.progress``.
"""

from .agreement_pages import (
    agreement,
    agreement_amend,
    agreement_edit,
    agreement_new,
    agreement_scan,
    agreement_scan_download,
    agreement_sign,
    agreements,
)
from .assessment_pages import assessment, scheme, scheme_new, score_set, score_set_document
from .cockpit_pages import cockpit, cockpit_context, default_unit
from .common import DOCX, XLSX
from .economy_pages import economy, economy_import, economy_template
from .indicator_pages import indicator_edit, indicators
from .monthly_pages import (
    monthly,
    monthly_import,
    monthly_missing,
    monthly_remind,
    monthly_template,
)
from .progress_pages import drill, progress

__all__ = [
    "DOCX",
    "XLSX",
    "agreement",
    "agreement_amend",
    "agreement_edit",
    "agreement_new",
    "agreement_scan",
    "agreement_scan_download",
    "agreement_sign",
    "agreements",
    "assessment",
    "cockpit",
    "cockpit_context",
    "default_unit",
    "drill",
    "economy",
    "economy_import",
    "economy_template",
    "indicator_edit",
    "indicators",
    "monthly",
    "monthly_import",
    "monthly_missing",
    "monthly_remind",
    "monthly_template",
    "progress",
    "scheme",
    "scheme_new",
    "score_set",
    "score_set_document",
]
