from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def wan(value):
    """万元 with thousands separators, no trailing zeros."""
    if value in (None, ""):
        return "—"
    d = Decimal(value)
    text = f"{d:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def yi(value):
    """万元 → 亿元 for display."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.filter
def stage_color(stage):
    return {
        "lead": "secondary",
        "negotiating": "azure",
        "signed": "indigo",
        "landed": "purple",
        "preparing": "orange",
        "under_construction": "blue",
        "completed": "teal",
        "operating": "green",
        "at_capacity": "lime",
        "suspended": "yellow",
        "dropped": "red",
    }.get(stage, "secondary")


@register.filter
def nonempty_items(mapping):
    """The (key, value) pairs of an audit before/after dict that carry a value."""
    if not isinstance(mapping, dict):
        return []
    return [(k, v) for k, v in mapping.items() if v not in (None, "", [], {}) and k != "version"]


def _people(p) -> str:
    names = [u.name for u in p.lead_officials.all()]
    if p.lead_officials_text:
        names.append(p.lead_officials_text)
    return "、".join(names) or "—"


def _date(d) -> str:
    return d.strftime("%Y-%m-%d") if d else "—"


def _trunc(text: str, n: int) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


@register.simple_tag
def ledger_row(p, cols):
    """All chosen cells of one ledger row, rendered in Python: 50 rows × 17 columns through a
    template include per cell cost more than the database did."""
    cells = []
    for col in cols:
        if col == "unit":
            html = format_html("{}", p.unit.label)
        elif col == "stage":
            html = format_html(
                '<span class="badge bg-{}-lt">{}</span>', stage_color(p.stage), p.stage_label
            )
        elif col == "category":
            html = format_html("{}", p.get_plan_category_display() or "—")
        elif col == "level":
            html = format_html("{}", p.get_level_display() or "—")
        elif col == "industry":
            html = format_html("{} {}", p.industry_code, _trunc(p.industry_text, 12))
        elif col in ("total", "annual", "completed"):
            value = {
                "total": p.total_investment,
                "annual": p.annual_plan_investment,
                "completed": p.completed_this_year,
            }[col]
            cells.append((mark_safe(' class="text-end num"'), format_html("{}", wan(value))))
            continue
        elif col == "planned_start":
            html = format_html("{}", _date(p.planned_start_date))
        elif col == "actual_start":
            if p.start_date_unknown:
                html = format_html(
                    '<span class="badge bg-orange-lt" title="{}">开工日期未知</span>',
                    "台账未填开工日期：不计入任何年度的新开工，补填后计入",
                )
            else:
                html = format_html("{}", _date(p.actual_start_date))
        elif col == "leads":
            html = format_html("{}", _people(p))
        elif col == "secretary":
            html = format_html("{}", p.secretary.name if p.secretary else (p.secretary_text or "—"))
        elif col == "responsible":
            html = format_html(
                "{}",
                p.responsible_unit.label
                if p.responsible_unit
                else (p.responsible_unit_text or "—"),
            )
        elif col == "progress":
            html = format_html('<span class="small">{}</span>', _trunc(p.progress_text, 40))
        elif col == "code":
            html = format_html('<code class="small">{}</code>', p.national_code or "—")
        elif col == "investor":
            html = format_html("{}", _trunc(p.investor, 16))
        elif col == "updated":
            html = format_html("{}", p.updated_at.strftime("%m-%d %H:%M") if p.updated_at else "—")
        else:
            html = ""
        cells.append(("", html))
    return format_html_join("", "<td{}>{}</td>", cells)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
