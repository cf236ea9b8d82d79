"""The ledger as the office's Excel: a 合计 row of the filtered set (all pages, by the figure's
definition), column heads that sort, and an export titled with the unit that exports it."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from diaodu.projects import figures, queries
from diaodu.projects.models import Project

pytestmark = pytest.mark.django_db


def total_cells(html: str) -> dict[str, str]:
    foot = html.split('data-testid="ledger-total"')[1].split("</tr>")[0]
    return dict(re.findall(r'data-total="(\w+)">([^<]*)<', foot))


def test_total_row_is_the_figure_of_the_filtered_set(make_project, client_for, person):
    for i in range(55):  # more than one page of 50
        make_project(
            f"物流园项目{i:02d}",
            total_investment=Decimal(1000 + i),
            annual_plan_investment=Decimal("100.5"),
        )
    make_project("装备园项目", unit="QHKFQ-ZB", secretary="mishu_zb", total_investment=Decimal(7))
    c = client_for("duchashi")
    cells = total_cells(c.get("/projects/?cols=total,annual,completed").content.decode())
    want = figures.ledger_totals(queries.visible(person("duchashi")))
    assert want["count"] == 56 and want["total"] == sum(Decimal(1000 + i) for i in range(55)) + 7
    assert cells["count"] == "56 个项目"
    assert cells["total"] == f"{want['total']:,}".rstrip("0").rstrip(".")
    assert cells["annual"] == "5,527.5"
    # filtered: only 装备园's project is counted
    from diaodu.org.models import Unit

    unit = Unit.objects.get(code="QHKFQ-ZB")
    cells = total_cells(c.get(f"/projects/?unit={unit.pk}&cols=total").content.decode())
    assert cells == {"count": "1 个项目", "total": "7"}


def test_column_heads_sort_and_reverse(make_project, client_for):
    make_project("甲", total_investment=Decimal(5))
    make_project("乙", total_investment=Decimal(50))
    make_project("丙", total_investment=Decimal(20))
    c = client_for("duchashi")
    html = c.get("/projects/?cols=total").content.decode()
    link = re.search(r'<a class="sort-head" href="([^"]+)" data-sort="total">', html).group(1)
    html = c.get("/projects/" + link.replace("&amp;", "&")).content.decode()
    assert html.index(">甲<") < html.index(">丙<") < html.index(">乙<")
    link = re.search(r'<a class="sort-head" href="([^"]+)" data-sort="total">', html).group(1)
    assert "sort=-total" in link  # a second click reverses
    html = c.get("/projects/" + link.replace("&amp;", "&")).content.decode()
    assert html.index(">乙<") < html.index(">丙<") < html.index(">甲<")
    assert Project.objects.count() == 3


def test_export_is_titled_with_the_zone_not_the_office(make_project, client_for):
    make_project("甲")
    r = client_for("duchashi").get("/projects/export.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    title = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
    assert "清河经济开发区管委会" in title and "督查室" not in title


def test_a_secretarys_new_project_is_theirs(demo, person, client_for):
    from django.core.exceptions import ValidationError

    from diaodu.audit.context import acting_as
    from diaodu.projects import services

    sec = person("mishu_wl")
    with acting_as(sec):
        p = services.create_project(sec, unit=demo["QHKFQ-WL"], data={"name": "新签约项目"})
    assert p.secretary == sec
    assert client_for("mishu_wl").get(f"/projects/{p.pk}/").status_code == 200
    with acting_as(sec), pytest.raises(ValidationError) as exc:
        services.create_project(
            sec, unit=demo["QHKFQ-WL"], data={"name": "别人的项目"}, secretary=person("mishu_zb")
        )
    assert "本人包保" in str(exc.value)
    assert not Project.objects.filter(name="别人的项目").exists()
