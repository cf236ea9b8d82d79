"""Demo chains for projects not started yet, and the link from the project page."""

from datetime import date

from diaodu.procedures import demo
from diaodu.procedures.models import ProcedureChain


def test_demo_chains_and_project_page_link(make_project, client_for, today):
    a = make_project(
        name="装配式建筑部品生产基地",
        stage="preparing",
        start=date(2026, 9, 1),
        actual_signing_date=date(2026, 1, 10),
    )
    b = make_project(
        name="区域医疗中心", investor="清河城投公司", stage="signed", start=date(2027, 5, 1)
    )
    make_project(name="已开工项目", stage="under_construction", start=date(2026, 1, 1))
    assert demo.build() == {"chains": 2}
    assert demo.build() == {"chains": 0}  # idempotent
    ca = ProcedureChain.objects.get(project=a)
    assert ProcedureChain.objects.get(project=b).template.code == "gov_invest"
    assert ca.items.filter(status="done").exists()
    html = client_for("mishu_wl").get(f"/projects/{a.pk}/").content.decode()
    assert 'data-testid="procedures-link"' in html and f"/procedures/project/{a.pk}/" in html
    html = client_for("mishu_wl").get(f"/projects/{b.pk}/").content.decode()
    assert "按现有进度" in html or "超期" in html


def test_demo_builds_chains_without_the_migration_templates(make_project):
    """A transactional test's flush empties every table, the migration-seeded templates too; the
    demo must still give the projects their chains (it seeds the templates it needs)."""
    from diaodu.procedures.models import ProcedureTemplate

    ProcedureTemplate.objects.all().delete()
    p = make_project(name="装配式建筑部品生产基地", stage="preparing", start=date(2026, 9, 1))
    assert demo.build() == {"chains": 1}
    assert ProcedureChain.objects.get(project=p).template.code == "enterprise_filing"
