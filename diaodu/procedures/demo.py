"""Demo chains: every project of the demo zone (清河经济开发区) that has not started yet (签约/落地/前期 with a planned start
date) gets the chain of a fitting template, with the first procedures recorded as done or in
progress on past dates that respect their predecessors. Everything goes through the services
(validated and audited). Idempotent: a project that has a chain is skipped. Deterministic apart
from today's date."""

from __future__ import annotations

import random
from datetime import timedelta

from diaodu import clock
from diaodu.audit.context import acting_as
from diaodu.org.models import Unit
from diaodu.org.scope import SYSTEM
from diaodu.procedures import services
from diaodu.procedures.defaults import seed as seed_templates
from diaodu.procedures.models import ProcedureChain, ProcedureTemplate, Stage, Status
from diaodu.projects.models import Project

SEED = 20260601
DEMO_ZONE = "QHKFQ"  # 清河经济开发区, built by diaodu.org.demo
DONE_SHARE = {
    "signed": (0, 3),
    "landed": (3, 7),
    "preparing": (6, 12),
}  # how many items are already done


GOV_WORDS = (
    "管委会",
    "城投",
    "城建",
    "政府",
    "学校",
    "医院",
    "道路",
    "管网",
    "污水",
    "安置",
    "枢纽",
    "公共",
)
APPROVAL_WORDS = ("发电", "光伏", "电站", "热电", "化工", "原料药", "炼", "钢")


def template_for(project: Project, templates: dict[str, ProcedureTemplate], rng: random.Random):
    """A plausible template: government projects by their words, 核准 for the kinds of project the
    核准目录 lists, 带方案出让 for some small plots, 备案 for the rest."""
    text = f"{project.investor}{project.name}"
    if any(word in text for word in GOV_WORDS):
        return templates.get("gov_invest")
    if any(word in text for word in APPROVAL_WORDS):
        return templates.get("enterprise_approval")
    if project.land_area_mu and project.land_area_mu < 100 and rng.random() < 0.5:
        return templates.get("land_with_design")
    return templates.get("enterprise_filing")


def build(stdout=None) -> dict:
    today = clock.today()
    zone = Unit.objects.filter(code=DEMO_ZONE).first()
    if zone is None:
        return {"chains": 0}
    # The templates normally come from migration 0002; a database emptied since (a transactional
    # test's flush, an administrator's cleanup) has none, and the demo would silently build no
    # chain. Seeding here is idempotent and never overwrites an edited template.
    seed_templates()
    templates = {t.code: t for t in ProcedureTemplate.objects.filter(is_current=True)}
    projects = (
        Project.objects.filter(
            # the demo zone's own projects only: never a real or generated project elsewhere
            unit__path__startswith=zone.path,
            stage__in=list(DONE_SHARE),
            planned_start_date__isnull=False,
            actual_start_date__isnull=True,
        )
        .exclude(pk__in=ProcedureChain.objects.values("project_id"))
        .order_by("pk")
    )
    created = 0
    with acting_as(None, channel="cli"):
        for project in projects:
            rng = random.Random(SEED + project.pk)
            template = template_for(project, templates, rng)
            if template is None:
                continue
            chain = services.create_chain(SYSTEM, project, template)
            _record_progress(chain, project, rng, today)
            created += 1
    return {"chains": created}


def _record_progress(chain: ProcedureChain, project: Project, rng: random.Random, today) -> None:
    lo, hi = DONE_SHARE[project.stage]
    to_do = rng.randint(lo, hi)
    begin = project.actual_signing_date or (today - timedelta(days=rng.randint(120, 300)))
    finished: dict[str, object] = {}
    for item in list(chain.items.exclude(stage=Stage.ACCEPTANCE).order_by("sort_order", "id")):
        if to_do <= 0:
            break
        preds = [finished.get(d["code"]) for d in item.predecessors]
        if any(p is None for p in preds):
            continue  # a predecessor is not done: leave this one for later
        start = max([begin] + [p + timedelta(days=1) for p in preds])
        finish = start + timedelta(days=int(max(item.duration_wd, 1) * rng.uniform(1.0, 1.8)))
        if start >= today:
            continue
        if finish >= today:
            services.update_item(
                SYSTEM, item, {"status": Status.IN_PROGRESS, "actual_start": start}
            )
            continue
        services.update_item(
            SYSTEM,
            item,
            {
                "status": Status.DONE,
                "actual_start": start,
                "actual_finish": finish,
                "doc_number": f"清开{item.code}〔{finish.year}〕{rng.randint(1, 99)}号",
            },
        )
        finished[item.code] = finish
        to_do -= 1
