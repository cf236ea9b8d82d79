"""The ledger back to Excel, in the office's own layout (through ledger.write_ledger)."""

from __future__ import annotations

from diaodu import clock
from diaodu.engine import ledger
from diaodu.engine import stages as S
from diaodu.projects.models import Project
from diaodu.projects.services import CLEAR_MARKER, DATE_FIELDS, MONEY_FIELDS

# The file is also the template an office fills in and imports back.
FOOTNOTE = (
    f"注：导入时空白单元格不会清除系统中已有的内容；需要清空某项时，请在该单元格填写“{CLEAR_MARKER}”。"
    "签约、开工、竣工、投产日期请填写实际发生的日期。"
)

EXPORT_FIELDS = [
    "name",
    "national_code",
    "investor",
    "content_scale",
    "industry",
    "unit_name",
    "address",
    "longitude",
    "latitude",
    "land_area_mu",
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
    "level",
    "stage",
    "lead_officials",
    "secretary",
    "responsible_unit",
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_production_date",
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
    "expected_output",
    "expected_tax",
    "expected_jobs",
    "progress_text",
    "issues_text",
    "remarks",
]


QUALIFIER = "·"  # 上级简称·园区名 (see _qualify_units; the import reads it back)


def project_row(p: Project) -> dict:
    row: dict = {"name": p.name}
    if p.national_code:
        row["national_code"] = p.national_code
    for f in ("investor", "content_scale", "address", "progress_text", "issues_text", "remarks"):
        if getattr(p, f):
            row[f] = getattr(p, f)
    if p.industry_code or p.industry_text:
        row["industry"] = p.industry
    row["unit_name"] = p.unit.name
    for f in MONEY_FIELDS + ("land_area_mu", "latitude", "longitude"):
        v = getattr(p, f)
        if v is not None:
            row[f] = v.normalize() if v == v.to_integral() else v
    if p.expected_jobs is not None:
        row["expected_jobs"] = p.expected_jobs
    if p.plan_category:
        row["plan_category"] = p.plan_category
    if p.level:
        row["level"] = p.level
    row["stage"] = S.label(p.stage)
    leads = [u.name for u in p.lead_officials.all()]
    if p.lead_officials_text:
        leads += [n for n in p.lead_officials_text.split("、") if n]
    if leads:
        row["lead_officials"] = leads
    secretary = p.secretary.name if p.secretary else p.secretary_text
    if secretary:
        row["secretary"] = secretary
    resp = p.responsible_unit.name if p.responsible_unit else p.responsible_unit_text
    if resp:
        row["responsible_unit"] = resp
    for f in DATE_FIELDS:
        v = getattr(p, f)
        if v is not None:
            row[f] = v
            if (p.date_precision or {}).get(f):
                row[f"{f}_precision"] = p.date_precision[f]
    return row


def _qualify_units(projects, rows) -> None:
    """A 所属园区 whose name another unit also has (two zones of a province each with a
    “现代物流产业园”) is written with its parent's short name, “清河开发区·现代物流产业园”, which the
    import matches exactly; unique names stay as the office writes them."""
    from django.db.models import Count

    from diaodu.org.models import Unit

    names = {p.unit.name for p in projects}
    shared = set(
        Unit.objects.filter(name__in=names)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    if not shared:
        return
    parents = {
        u.pk: u.parent
        for u in Unit.objects.filter(
            pk__in={p.unit_id for p in projects if p.unit.name in shared}
        ).select_related("parent")
    }
    for p, row in zip(projects, rows):
        parent = parents.get(p.unit_id)
        if parent is not None:
            row["unit_name"] = f"{parent.short_name or parent.name}{QUALIFIER}{p.unit.name}"


def workbook(projects, *, unit_label: str, title: str | None = None, extra=None) -> bytes:
    """The ledger of ``projects`` as .xlsx; ``extra(wb)`` may add sheets before the one save."""
    projects = list(projects)
    rows = [project_row(p) for p in projects]
    _qualify_units(projects, rows)
    today = clock.today()
    return ledger.write_ledger(
        rows,
        title=title or f"{unit_label}重点项目台账",
        unit_label=unit_label,
        date_label=f"{today.year}年{today.month}月{today.day}日",
        fields=EXPORT_FIELDS,
        footnote=FOOTNOTE,
        extra=extra,
    )
