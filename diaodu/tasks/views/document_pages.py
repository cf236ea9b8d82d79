"""Source documents (来源文件): the list, the upload, and the review screen where the clerk
corrects the draft 任务分解表 beside the source text (each row's sentence highlighted), maps
unknown unit names once, and approves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from diaodu.org.scope import require
from diaodu.tasks import queries, services
from diaodu.tasks.models import Recurrence, SourceKind
from diaodu.viewkit import error_text

FIELDS = ("number", "task", "measures", "lead_units", "support_units", "leader", "deadline",
          "recurrence", "target", "nodes", "span")  # fmt: skip


@login_required
def documents(request):
    require(request.user, "tasks.manage")
    page = Paginator(queries.documents(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "tasks/documents.html", {"page": page, "query": ""})


@login_required
def upload(request):
    require(request.user, "tasks.manage")
    zones = list(queries.zones(request.user))
    errors, data = {}, {"kind": SourceKind.DOCUMENT}
    if request.method == "POST":
        p = request.POST
        data = {k: p.get(k, "") for k in ("zone", "title", "doc_date", "kind")}
        zone = next((z for z in zones if str(z.pk) == data["zone"]), None)
        if zone is None:
            errors["zone"] = "请选择单位。"
            messages.error(request, errors["zone"])
        else:
            try:
                doc = services.upload_document(
                    request.user, zone, upload=request.FILES.get("file"), title=data["title"],
                    doc_date=data["doc_date"], kind=data["kind"] or SourceKind.DOCUMENT,
                )  # fmt: skip
            except ValidationError as exc:
                errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
                messages.error(request, error_text(exc))
            else:
                messages.success(
                    request, f"已识别出 {len(doc.rows)} 行任务草稿，请逐行核对后下达。"
                )
                return redirect("tasks:review", doc.pk)
    if not data.get("zone"):
        z = next((z for z in zones if z.kind == "zone"), zones[0] if zones else None)
        data["zone"] = str(z.pk) if z else ""
    return render(
        request,
        "tasks/upload.html",
        {"zones": zones, "errors": errors, "data": data, "kinds": SourceKind.choices},
    )


def posted_rows(post) -> list[dict]:
    """The rows of the review form (``rows-N-field``), in order, deleted rows left out."""
    try:
        n = min(int(post.get("row_count", "0")), services.documents.MAX_ROWS)
    except ValueError:
        n = 0
    rows = []
    for i in range(max(n, 0)):
        key = f"rows-{i}-"
        if post.get(key + "delete"):
            continue
        span = (post.get(key + "span") or "").split(",")
        rows.append(
            {
                **{f: post.get(key + f, "") for f in FIELDS if f not in ("nodes", "span")},
                "nodes": services.parse_nodes(post.get(key + "nodes", "")),
                "source_span": span if len(span) == 2 else [],
                "_merge": bool(post.get(key + "merge")),
                "_split": bool(post.get(key + "split")),
            }
        )
    return rows


def _join(a: str, b: str, sep: str) -> str:
    return sep.join(x for x in (a.strip(), b.strip()) if x)


def edit_rows(rows: list[dict], action: str) -> list[dict]:
    """合并 (a marked row absorbs the next), 拆分 (a marked row is copied below it), 新增."""
    out: list[dict] = []
    i = 0
    while i < len(rows):
        r = dict(rows[i])
        if action == "merge" and r.get("_merge") and i + 1 < len(rows):
            nxt = rows[i + 1]
            r["task"] = _join(r["task"], nxt["task"], "；")
            r["measures"] = _join(r["measures"], nxt["measures"], "\n")
            r["lead_units"] = _join(r["lead_units"], nxt["lead_units"], "、")
            r["support_units"] = _join(r["support_units"], nxt["support_units"], "、")
            r["nodes"] = [*r["nodes"], *nxt["nodes"]]
            spans = [s for s in (r["source_span"], nxt["source_span"]) if len(s) == 2]
            try:
                r["source_span"] = (
                    [min(int(s[0]) for s in spans), max(int(s[1]) for s in spans)] if spans else []
                )
            except ValueError:
                r["source_span"] = []
            i += 1
        out.append(r)
        if action == "split" and r.get("_split"):
            out.append(dict(r))
        i += 1
    if action == "add":
        out.append(
            {f: "" for f in FIELDS if f not in ("nodes", "span")} | {"nodes": [], "source_span": []}
        )
    return services.clean_rows(out)


def _highlighted(text: str, rows: list[dict]) -> list[tuple[str, int | None]]:
    """The source text cut into pieces, each marked with the first row whose span covers it."""
    cuts = {0, len(text)}
    spans = []
    for i, r in enumerate(rows):
        s = r.get("source_span") or []
        if len(s) == 2 and 0 <= s[0] < s[1] <= len(text):
            spans.append((s[0], s[1], i))
            cuts.update((s[0], s[1]))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        row = next((i for s, e, i in spans if s <= a and b <= e), None)
        out.append((text[a:b], row))
    return out


@login_required
def review(request, pk):
    require(request.user, "tasks.manage")
    doc = queries.get_document(request.user, pk)
    errors: dict[str, str] = {}
    rows = doc.rows
    if request.method == "POST" and doc.state == "draft":
        action = request.POST.get("action", "save")
        rows = edit_rows(posted_rows(request.POST), action)
        version = request.POST.get("version")
        try:
            if action == "approve":
                created = services.approve_document(request.user, doc, rows, version=version)
                messages.success(request, f"已下达 {len(created)} 项任务。")
                return redirect(f"/tasks/?document={doc.pk}")
            doc = services.save_draft(request.user, doc, rows, version=version)
            messages.success(request, "草稿已保存。")
            return redirect("tasks:review", doc.pk)
        except ValidationError as exc:
            errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            messages.error(request, error_text(exc))
    resolver = services.Resolver(doc.zone)
    view_rows = []
    for i, r in enumerate(rows):
        view_rows.append(
            {
                **r,
                "i": i,
                "lead_text": "、".join(r.get("lead_units") or []),
                "support_text": "、".join(r.get("support_units") or []),
                "nodes_text": services.nodes_text(r.get("nodes")),
                "span_text": ",".join(str(x) for x in r.get("source_span") or []),
                "errors": {
                    k.split("-", 2)[2]: v for k, v in errors.items() if k.startswith(f"rows-{i}-")
                },
                "unknown": resolver.unknown([r]),
            }
        )
    return render(
        request,
        "tasks/review.html",
        {
            "doc": doc,
            "rows": view_rows,
            "pieces": _highlighted(doc.text, rows),
            "unknown": resolver.unknown(rows),
            "units": queries.units_under(doc.zone),
            "recurrences": Recurrence.choices,
            "general": errors.get("rows") or errors.get("version") or errors.get("action"),
        },
    )


@login_required
@require_POST
def learn_alias(request, pk):
    require(request.user, "tasks.manage")
    doc = queries.get_document(request.user, pk)
    units = {str(u.pk): u for u in queries.units_under(doc.zone)}
    done = 0
    for key, value in request.POST.items():
        if key.startswith("alias-") and value:
            name = request.POST.get("name-" + key[6:], "")
            try:
                services.learn_alias(request.user, doc.zone, name, units.get(value))
                done += 1
            except ValidationError as exc:
                messages.error(request, error_text(exc))
    if done:
        messages.success(request, f"已记住 {done} 个单位对照，以后的文件也会自动识别。")
    return redirect("tasks:review", doc.pk)
