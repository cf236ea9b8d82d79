"""Maps that work offline: without a tile server the cockpit map draws the zone and its parks
from their boundaries (the demo ships them), every demo project has coordinates, and a boundary
is checked like any other input."""

import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from diaodu.org import services as org_services
from diaodu.org.models import Unit
from diaodu.org.scope import SYSTEM
from diaodu.projects.models import Project

pytestmark = pytest.mark.django_db


def script_json(html: str, element_id: str):
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


@pytest.fixture
def zone(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_cockpit_map_without_tiles_draws_the_zone(zone, client_for, settings):
    settings.MAP_TILE_URL = ""
    assert not Project.objects.filter(latitude__isnull=True).exists(), "演示项目都应有坐标"
    html = client_for("quzhang").get("/targets/cockpit/").content.decode()
    assert script_json(html, "tile-url") == ""
    outlines = script_json(html, "map-outlines")
    kinds = {o["name"]: o["kind"] for o in outlines}
    assert kinds["清河经济开发区管委会"] == "zone"
    assert sum(1 for k in kinds.values() if k == "park") >= 3
    assert all(len(o["ring"]) >= 3 for o in outlines)
    # every project of the zone is a point on the map
    points = script_json(html, "map-data")
    zone_unit = Unit.objects.get(code="QHKFQ")
    assert len(points) == Project.objects.filter(unit__path__startswith=zone_unit.path).count()
    # a park's leader sees the park's outline and the zone around it
    park = client_for("wl_zhuren").get("/targets/cockpit/").content.decode()
    names = {o["name"]: o["own"] for o in script_json(park, "map-outlines")}
    assert names["现代物流产业园"] is True and names["清河经济开发区管委会"] is False
    assert "装备制造产业园" not in names


def test_a_configured_tile_server_is_used(zone, client_for, settings):
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"  # an intranet tile server
    html = client_for("quzhang").get("/targets/cockpit/").content.decode()
    assert script_json(html, "tile-url") == "/tiles/{z}/{x}/{y}.png"


def test_a_bad_boundary_is_refused_by_name(demo):
    unit = Unit.objects.get(code="QHKFQ-WL")
    for bad in ([[43.8, 125.4], [43.9, 125.5]], [[95, 125], [43, 125], [44, 126]], "x", [[1]]):
        with pytest.raises(ValidationError) as exc:
            org_services.update_unit(SYSTEM, unit, boundary=bad)
        assert "边界" in exc.value.message_dict["boundary"][0]
    unit.refresh_from_db()
    assert unit.boundary is None
    org_services.update_unit(
        SYSTEM, unit, boundary=[["43.8", "125.4"], [43.9, 125.5], [43.85, 125.6]]
    )
    unit.refresh_from_db()
    assert unit.boundary == [[43.8, 125.4], [43.9, 125.5], [43.85, 125.6]]


def test_the_unit_form_keeps_the_boundary(demo, client_for):
    unit = Unit.objects.get(code="QHKFQ-WL")
    ring = [[43.8, 125.4], [43.9, 125.5], [43.85, 125.6]]
    org_services.update_unit(SYSTEM, unit, boundary=ring)
    r = client_for("sysadmin").post(
        f"/org/units/{unit.pk}/edit/",
        {
            "name": "现代物流产业园",
            "code": "QHKFQ-WL",
            "kind": "park",
            "sort_order": "1",
            "short_name": "物流园",
            "region_code": "",
            "parent": unit.parent_id,
        },
    )
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.boundary == ring
