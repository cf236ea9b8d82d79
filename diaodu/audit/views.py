"""Read-only screens for the audit administrator: the audit log and the login log.
There is no screen, form or endpoint that edits or deletes an entry."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from diaodu.audit.models import AuditEntry, LoginLog
from diaodu.engine import cleaning
from diaodu.org.scope import require


def _day(value: str, end: bool = False):
    try:
        d = cleaning.date_value(value, "日期")
    except cleaning.CleaningError:
        return None
    if d is None:
        return None
    moment = datetime.combine(d, time.max if end else time.min)
    return timezone.make_aware(moment)


@login_required
def entries(request):
    require(request.user, "audit.view")
    g = request.GET
    errors = []
    since, until = _day(g.get("since", "")), _day(g.get("until", ""), end=True)
    if g.get("since") and since is None:
        errors.append("开始日期格式应为 YYYY-MM-DD。")
    if g.get("until") and until is None:
        errors.append("结束日期格式应为 YYYY-MM-DD。")
    if since and until and since > until:
        errors.append("开始日期不能晚于结束日期。")
        since = until = None
    qs = AuditEntry.objects.search(
        person=g.get("person", "").strip(),
        object_type=g.get("object_type", ""),
        object_id=g.get("object_id", "").strip(),
        action=g.get("action", "").strip(),
        since=since,
        until=until,
        text=g.get("q", "").strip(),
    )
    page = Paginator(qs.order_by("-id"), 50).get_page(g.get("page"))
    types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return render(
        request,
        "audit/entries.html",
        {"page": page, "g": g, "types": sorted(set(types)), "errors": errors},
    )


@login_required
def entry(request, pk: int):
    require(request.user, "audit.view")
    e = get_object_or_404(AuditEntry, pk=pk)
    return render(request, "audit/entry.html", {"e": e})


@login_required
def logins(request):
    require(request.user, "audit.logins")
    g = request.GET
    qs = LoginLog.objects.select_related("user")
    if g.get("username"):
        qs = qs.filter(username__icontains=g["username"].strip())
    if g.get("result"):
        qs = qs.filter(result=g["result"])
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(
        request, "audit/logins.html", {"page": page, "g": g, "results": LoginLog.Result.choices}
    )
