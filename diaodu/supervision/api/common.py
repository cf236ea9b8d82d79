"""The supervision router and the helpers that turn records into dicts."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router

from diaodu.supervision import queries

router = Router(tags=["督查调度"])


# ---------------------------------------------------------------- helpers
def _where(request, unit=None, period=""):
    try:
        u, cycle, p = queries.resolve(request.user, unit, period or None)
    except ValidationError:
        raise
    if u is None:
        raise ValidationError({"unit": "请指定单位。"})
    return u, cycle, p


def _photo(ph) -> dict:
    return {
        "id": ph.pk,
        "name": ph.original_name,
        "url": reverse("supervision:photo", args=[ph.pk]),
        "thumb_url": reverse("supervision:photo_thumb", args=[ph.pk]),
        "size": ph.size,
        "taken_at": ph.taken_at,
        "latitude": ph.latitude,
        "longitude": ph.longitude,
        "distance_km": ph.distance_km,
    }


def _report(r, photos=None) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in (
                "id",
                "project_id",
                "period",
                "status",
                "progress_text",
                "invested",
                "ytd",
                "since_start",
                "next_plan",
                "filed_by_name",
                "submitted_at",
                "deadline",
                "is_late",
                "return_reason",
                "reduction_note",
                "flags",
                "version",
            )
        },
        "project_name": r.project.name,
        "unit_name": r.project.unit.name,
        "period_name": r.period_obj.name,
        "photos": [_photo(p) for p in (photos if photos is not None else r.photos.all())],
    }


def _problem(pr, events=None, *, user=None, files=None) -> dict:
    """A problem as the API gives it; with *user*, the moves that person may make now."""
    from django.urls import reverse

    from diaodu import clock
    from diaodu.supervision import services
    from diaodu.supervision.flows import EXTENSION, RUNNING_STATES

    actions = []
    if user is not None:
        actions = [m.name for m in services.allowed_moves(user, pr)]
        if pr.status in RUNNING_STATES:
            actions += [
                m.name
                for m in services.allowed_moves(
                    user, pr, machine=EXTENSION, state=pr.extension_state
                )
            ]

    return {
        **{
            f: getattr(pr, f)
            for f in (
                "id",
                "project_id",
                "title",
                "description",
                "type_code",
                "type_label",
                "source",
                "status",
                "responsible_unit_id",
                "deadline_wd",
                "assigned_on",
                "due_date",
                "escalation_level",
                "answer",
                "satisfaction",
                "raised_by_name",
                "raised_at",
                "extension_due",
                "extension_reason",
                "version",
            )
        },
        "actions": actions,
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "kind_label": f.get_kind_display(),
                "name": f.original_name,
                "size": f.size,
                "content_type": f.content_type,
                "note": f.note,
                "url": reverse("supervision:problem_file", args=[f.pk]),
            }
            for f in (files or [])
        ],
        "project_name": pr.project.name,
        "status_label": pr.get_status_display(),
        "responsible_unit_name": pr.responsible_unit.name if pr.responsible_unit else "",
        "overdue": pr.is_overdue(clock.today()),
        "escalation_label": pr.level_label,
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "level": e.level,
                "by_name": e.by_name,
                "at": e.at,
                "note": e.note,
            }
            for e in (events or [])
        ],
    }


def _light(lt) -> dict:
    return {
        **{
            f: getattr(lt, f)
            for f in (
                "id",
                "project_id",
                "period",
                "color",
                "reasons",
                "facts",
                "override_color",
                "override_reason",
                "override_by_name",
                "computed_at",
            )
        },
        "project_name": lt.project.name,
        "unit_name": lt.project.unit.name,
        "effective_color": lt.effective_color,
    }


def _action(a) -> dict:
    return {
        **{
            f: getattr(a, f)
            for f in (
                "id",
                "meeting_id",
                "content",
                "owner_id",
                "owner_name",
                "unit_id",
                "deadline",
                "status",
                "result",
            )
        },
        "unit_name": a.unit.name if a.unit else "",
    }


def _meeting(m, full=False) -> dict:
    out = {
        f: getattr(m, f)
        for f in ("id", "unit_id", "period", "title", "held_on", "location", "status")
    }
    if full:
        out["agenda"] = [
            {
                f: getattr(a, f)
                for f in ("id", "kind", "title", "detail", "project_id", "problem_id", "action_id")
            }
            for a in queries.agenda(m)
        ]
        out["actions"] = [_action(a) for a in queries.meeting_actions(m)]
    return out


def _problems_json(text: str) -> list:
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        raise ValidationError(
            {"problems": 'problems 应为 JSON 数组，如 [{"title": "…", "type_code": "land"}]。'}
        ) from None
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise ValidationError({"problems": "problems 应为对象数组。"})
    return data
