"""Synthetic benchmark data for `diaodu gen` (the command is in diaodu/web: it also writes the
weekly loop of the generated zones, see diaodu/supervision/synthetic.py).

Builds a realistic but fictional province-wide deployment: one province (code ``GEN-S<seed>``)
→ cities → districts → development zones (“XX经济开发区”, “XX高新区” …) → parks and
departments, a few hundred generated people (usernames ``gen_s<seed>_…``, unusable passwords)
as 项目秘书 and 包保领导, and N projects with skewed (log-normal) investments, GB/T 4754
industries, weighted stages with consistent dates and StageChange history, plan categories,
levels, 项目代码, texts in the voice of a zone ledger.

This is benchmark data, so — unlike every other write in Diaodu — it does NOT go through the
per-row services: rows are inserted with ``bulk_create`` in batches, one transaction per batch,
so that 100,000 projects take a couple of minutes rather than hours. One audit entry
(``gen.synthetic``, on the root unit) records the generation and its parameters.

Deterministic: the same seed (and --projects / --zones) gives the same data. Idempotent: the
root unit ``GEN-S<seed>`` marks a generation; when it exists and its audit entry is there, the
command adds nothing. When a run was interrupted (root exists, no audit entry yet) the same
command resumes: it replays the same random sequence and inserts only the projects after the
ones already stored.
"""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.db import transaction

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import ObjectRef, record
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Membership, Role, Unit, User
from diaodu.projects.models import Project, ProjectYearPlan, StageChange
from diaodu.projects.synthetic import Plan

AUDIT_ACTION = "gen.synthetic"


# ---------------------------------------------------------------- writing
def _write_tree(plan: Plan) -> tuple[dict[str, Unit], dict[str, User]]:
    """Units level by level (bulk, paths set from the parents), then people with memberships and roles."""
    units: dict[str, Unit] = {}
    by_level: dict[int, list[dict]] = {}
    depth_of: dict[str, int] = {}
    for u in plan.units:
        depth_of[u["code"]] = 0 if u["parent"] is None else depth_of[u["parent"]] + 1
        by_level.setdefault(depth_of[u["code"]], []).append(u)
    for depth in sorted(by_level):
        objs = [
            Unit(
                code=u["code"],
                name=u["name"],
                short_name=u["short_name"],
                kind=u["kind"],
                parent=units.get(u["parent"]),
                region_code=u["region_code"],
                sort_order=u["sort_order"],
            )
            for u in by_level[depth]
        ]
        objs = Unit.objects.bulk_create(objs)
        for obj in objs:
            parent = obj.parent
            obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
            obj.depth = depth
            units[obj.code] = obj
        Unit.objects.bulk_update(objs, ["path", "depth"])
    people: dict[str, User] = {}
    objs = []
    for p in plan.people:
        user = User(
            username=p["username"], name=p["name"], must_change_password=False, is_active=True
        )
        user.set_unusable_password()
        objs.append(user)
    for user in User.objects.bulk_create(objs):
        people[user.username] = user
    Membership.objects.bulk_create(
        [
            Membership(
                user=people[p["username"]],
                unit=units[p["unit"]],
                position=p["position"],
                is_primary=True,
            )
            for p in plan.people
        ]
    )
    roles = {r.code: r for r in Role.objects.filter(code__in={p["role"] for p in plan.people})}
    User.roles.through.objects.bulk_create(
        [
            User.roles.through(user_id=people[p["username"]].pk, role_id=roles[p["role"]].pk)
            for p in plan.people
            if p["role"] in roles
        ]
    )
    return units, people


def _load_tree(plan: Plan) -> tuple[dict[str, Unit], dict[str, User]]:
    units = {u.code: u for u in Unit.objects.filter(code__startswith=plan.root_code)}
    people = {u.username: u for u in User.objects.filter(username__startswith=f"gen_s{plan.seed}_")}
    return units, people


def generate(
    projects: int, seed: int = 1, zones: int | None = None, batch: int = 5000, out=print
) -> dict:
    """Generate (or resume) one synthetic deployment. Returns a summary dict."""
    started = time.perf_counter()
    plan = Plan(seed, projects, zones)
    root = Unit.objects.filter(code=plan.root_code).first()
    summary = {
        "seed": seed,
        "projects": 0,
        "zones": plan.zones,
        "units": 0,
        "people": 0,
        "stage_changes": 0,
        "lead_official_links": 0,
        "year_plans": 0,
        "skipped": False,
    }
    if (
        root is not None
        and AuditEntry.objects.filter(
            action=AUDIT_ACTION, object_type="org.unit", object_id=str(root.pk)
        ).exists()
    ):
        out(f"种子 {seed} 的合成数据已存在（{root.code} {root.name}），未新增任何数据。")
        summary["skipped"] = True
        return summary
    with acting_as(None, channel="cli"):
        if root is None:
            with transaction.atomic():
                units, people = _write_tree(plan)
            summary["units"], summary["people"] = len(units), len(people)
            done = 0
            out(
                f"单位 {len(units)} 个（{plan.zones} 个开发区，{len(plan.parks)} 个园区），人员 {len(people)} 人，"
                f"用时 {time.perf_counter() - started:.1f} 秒。"
            )
        else:
            units, people = _load_tree(plan)
            if len(units) != len(plan.units):
                raise CommandError(
                    f"{plan.root_code} 下已有 {len(units)} 个单位，与本次参数应有的 {len(plan.units)} 个不符："
                    f"请使用与中断时相同的 --zones 参数，或换一个种子。"
                )
            done = Project.objects.filter(unit__path__startswith=units[plan.root_code].path).count()
            out(f"继续上次中断的生成：已有 {done} 个项目。")
        taken = set(
            Project.objects.exclude(national_code=None)
            .filter(national_code__contains=f"-9{seed % 100:02d}")
            .values_list("national_code", flat=True)
        )
        it = plan.projects()
        index = 0
        for _ in range(min(done, plan.n)):  # replay what is already stored
            next(it)
            index += 1
        while index < plan.n:
            chunk = []
            for spec in it:
                chunk.append(spec)
                index += 1
                if len(chunk) >= batch:
                    break
            if not chunk:
                break
            counts = _write_batch(chunk, units, people, taken)
            for k, v in counts.items():
                summary[k] += v
            out(f"  {index}/{plan.n} 个项目（{time.perf_counter() - started:.1f} 秒）")
        seconds = round(time.perf_counter() - started, 1)
        root = units[plan.root_code]
        with transaction.atomic():
            record(
                AUDIT_ACTION,
                ObjectRef("org.unit", str(root.pk), root.name),
                after={
                    "seed": seed,
                    "projects": plan.n,
                    "zones": plan.zones,
                    "units": len(plan.units),
                    "people": len(plan.people),
                    "stage_changes": summary["stage_changes"],
                    "seconds": seconds,
                    "note": "合成基准数据，批量写入，未逐条经过业务服务",
                },
                only_changes=False,
            )
    summary["seconds"] = seconds
    out(
        f"完成：项目 {summary['projects']} 个，阶段变更 {summary['stage_changes']} 条，包保领导关联 "
        f"{summary['lead_official_links']} 条，年度计划 {summary['year_plans']} 条，共用时 {seconds} 秒。"
    )
    return summary


def _write_batch(chunk: list[dict], units, people, taken: set) -> dict:
    with transaction.atomic():
        objs = []
        for spec in chunk:
            f = spec["fields"]
            code = f.get("national_code")
            if code is not None:
                if code in taken:
                    f["national_code"] = None
                else:
                    taken.add(code)
            objs.append(
                Project(
                    unit=units[spec["unit"]],
                    name_key=normalise_name(f["name"]),
                    secretary=people.get(spec["secretary"]) if spec["secretary"] else None,
                    responsible_unit=units[spec["responsible"]],
                    **f,
                )
            )
        objs = Project.objects.bulk_create(objs)
        changes, links, plans = [], [], []
        Link = Project.lead_officials.through
        for obj, spec in zip(objs, chunk):
            for frm, to, on, note, reason in spec["changes"]:
                changes.append(
                    StageChange(
                        project_id=obj.pk,
                        from_stage=frm,
                        to_stage=to,
                        on=on,
                        person_name="系统",
                        note=note,
                        reason=reason,
                    )
                )
            for username in spec["leaders"]:
                links.append(Link(project_id=obj.pk, user_id=people[username].pk))
            for year, cat, annual in spec["plans"]:
                plans.append(
                    ProjectYearPlan(
                        project_id=obj.pk,
                        year=year,
                        plan_category=cat,
                        annual_plan_investment=annual,
                    )
                )
        StageChange.objects.bulk_create(changes, batch_size=5000)
        Link.objects.bulk_create(links, batch_size=10000)
        ProjectYearPlan.objects.bulk_create(plans, batch_size=10000)
    return {
        "projects": len(objs),
        "stage_changes": len(changes),
        "lead_official_links": len(links),
        "year_plans": len(plans),
    }
