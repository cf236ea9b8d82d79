"""The demo zone (`diaodu demo`): agreements of the five parks whose derived indicators fill from
the ledger, monthly values, peer regions, the scheme with its monthly rankings and last year's
results; idempotent. And the data migration granting the new keys to existing roles."""

from django.utils import timezone

from diaodu.org.scope import SYSTEM
from diaodu.targets import documents, queries
from diaodu.targets.models import (
    AssessmentScheme,
    EconomicValue,
    MonthlyValue,
    PeerGroup,
    ScoreSet,
    TargetAgreement,
)


def build_all():
    from diaodu.audit.context import acting_as
    from diaodu.org import demo as org_demo
    from diaodu.projects import demo as projects_demo
    from diaodu.targets import demo as targets_demo

    with acting_as(None, channel="cli"):
        org_demo.build()
        projects_demo.build()
        return targets_demo.build()


def test_demo_zone(db):
    created = build_all()
    assert created["agreements"] == 5 and created["score_sets"] >= 2
    year = timezone.localdate().year
    effective = queries.effective_agreements(SYSTEM, year)
    assert [a.unit.code for a in effective] == [
        "QHKFQ-WL",
        "QHKFQ-ZB",
        "QHKFQ-GX",
        "QHKFQ-SY",
        "QHKFQ-SM",
    ]
    targets = {
        code: sum(i.target for a in effective for i in a.items.all() if i.indicator.code == code)
        for code in ("new_starts", "signings", "negotiating")
    }
    assert targets == {"new_starts": 19, "signings": 6, "negotiating": 8}  # the speech, shared out
    sm = [a for a in effective if a.unit.code == "QHKFQ-SM"][0]
    if timezone.localdate().month >= 8:
        assert sm.version == 2 and sm.amendment_reason  # an amendment, signed
    rows = queries.agreement_rows(SYSTEM, effective, timezone.localdate())
    starts = [r for r in rows if r.indicator.code == "new_starts"]
    assert sum(r.actual for r in starts) >= 10  # filled from the ledger's stage history
    assert any(r.indicator.code == "fai" and r.actual for r in rows)
    assert MonthlyValue.objects.filter(year=year).count() > 100
    assert PeerGroup.objects.get().regions.count() == 10 and EconomicValue.objects.exists()
    scheme = AssessmentScheme.objects.get(year=year)
    monthly = ScoreSet.objects.filter(scheme=scheme, kind="monthly").order_by("-month").first()
    assert monthly is not None and monthly.scores.count() == 5
    assert all(
        s.change_vs_last_year is not None for s in monthly.scores.all()
    )  # 纵向: against last year's results
    scores = queries.unit_scores(monthly)
    assert (
        documents.docx(monthly, scores)[:2] == b"PK"
        and documents.xlsx(monthly, scores)[:2] == b"PK"
    )
    counts = (
        TargetAgreement.objects.count(),
        MonthlyValue.objects.count(),
        ScoreSet.objects.count(),
    )
    assert build_all()["agreements"] == 0  # idempotent
    assert (
        TargetAgreement.objects.count(),
        MonthlyValue.objects.count(),
        ScoreSet.objects.count(),
    ) == counts


def test_role_keys_granted_idempotently(db):
    from diaodu.org.models import Role
    from diaodu.targets.defaults import ROLE_GRANTS, grant_role_keys

    leader = Role.objects.get(code="leader")
    leader.permissions = [
        k for k in leader.permissions if not k.startswith(("targets.", "cockpit.", "assessment."))
    ]
    leader.save()
    grant_role_keys()
    grant_role_keys()
    for code, keys in ROLE_GRANTS.items():
        perms = Role.objects.get(code=code).permissions
        assert all(perms.count(k) == 1 for k in keys), code
