"""Writes stay inside the writer's scope: a 责任单位 outside it is refused (API and page), and a
create the creator could not then see is refused with a reason, never answered 404."""

import json

from diaodu.audit.context import acting_as
from diaodu.org import services as org_services
from diaodu.org.scope import SYSTEM
from diaodu.projects.models import Project


def _other_zone_department(demo):
    with acting_as(None):
        zone = org_services.create_unit(
            SYSTEM,
            parent=demo["QH"],
            name="河东经济开发区管委会",
            short_name="河东",
            kind="zone",
            code="HD",
        )
        return org_services.create_unit(
            SYSTEM,
            parent=zone,
            name="河东招商局",
            short_name="河东招商局",
            kind="department",
            code="HD-ZS",
        )


def _text(r) -> str:
    return json.dumps(r.json(), ensure_ascii=False)


def _patch(c, p, **data):
    return c.patch(
        f"/api/v1/projects/{p.pk}",
        json.dumps({"version": p.version, **data}),
        content_type="application/json",
    )


def test_secretary_cannot_move_responsible_unit_outside_scope(demo, make_project, client_for):
    p = make_project()
    other = _other_zone_department(demo)
    c = client_for("mishu_wl")
    for unit in (other, demo["QHKFQ-ZB"]):  # another zone's department; another park
        r = _patch(c, p, responsible_unit_id=unit.pk)
        assert r.status_code == 422, r.content
        assert "responsible_unit" in r.json()["errors"] and unit.name in _text(r)
        p.refresh_from_db()
        assert p.responsible_unit_id is None and p.version == 1
    # the zone's own department, and the secretary's park, are fine
    r = _patch(c, p, responsible_unit_id=demo["QHKFQ-ZS"].pk)
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.responsible_unit_id == demo["QHKFQ-ZS"].pk
    # and an unchanged value set by the office stays when the secretary edits something else
    Project.objects.filter(pk=p.pk).update(responsible_unit=other)
    p.refresh_from_db()
    r = _patch(c, p, responsible_unit_id=other.pk, progress_text="已开工")
    assert r.status_code == 200, r.content


def test_create_with_foreign_responsible_unit_refused(demo, client_for):
    other = _other_zone_department(demo)
    c = client_for("wl_zhuren")
    before = Project.objects.count()
    r = c.post(
        "/api/v1/projects/",
        json.dumps(
            {"name": "新项目", "unit_id": demo["QHKFQ-WL"].pk, "responsible_unit_id": other.pk}
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and "河东招商局" in _text(r)
    assert Project.objects.count() == before
    r = c.post(
        "/projects/new/",
        {"name": "新项目", "unit": demo["QHKFQ-WL"].pk, "responsible_unit": other.pk},
    )
    assert r.status_code == 200 and Project.objects.count() == before


def test_secretary_create_is_visible_or_refused_never_404(demo, client_for, person):
    c = client_for("mishu_wl")
    r = c.post(
        "/api/v1/projects/",
        json.dumps({"name": "秘书新建项目", "unit_id": demo["QHKFQ-WL"].pk}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert c.get(f"/api/v1/projects/{pid}").status_code == 200
    assert Project.objects.get(pk=pid).secretary == person("mishu_wl")
    other = Project.objects.exclude(secretary=person("mishu_wl")).count()
    someone = person("wl_zhuren")
    r = c.post(
        "/api/v1/projects/",
        json.dumps(
            {"name": "替别人建的项目", "unit_id": demo["QHKFQ-WL"].pk, "secretary_id": someone.pk}
        ),
        content_type="application/json",
    )
    assert r.status_code in (403, 422), r.content
    assert "项目秘书" in r.json()["detail"] + json.dumps(
        r.json().get("errors", {}), ensure_ascii=False
    )
    assert Project.objects.exclude(secretary=person("mishu_wl")).count() == other
