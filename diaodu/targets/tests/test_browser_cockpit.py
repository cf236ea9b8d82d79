"""Browser: a leader opens the cockpit, the charts and the map draw, a card's number equals the
length of its drill-down list; screenshots in normal and large-screen mode; nothing is loaded
from another host (no map tiles by default)."""

import re

import pytest

from diaodu.org.demo import DEMO_PASSWORD
from diaodu.web.tests.browser import Page, chromium  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(transactional_db):
    from diaodu.audit.context import acting_as
    from diaodu.org import demo as org_demo
    from diaodu.targets import demo as targets_demo

    with acting_as(None, channel="cli"):
        org_demo.build()
        targets_demo.build()  # agreements, monthly values, peers, rankings, and this year's 新开工 projects


def test_cockpit_as_leader(chromium, live_server, zone):  # noqa: F811
    from diaodu.audit.context import acting_as
    from diaodu.org.models import Unit
    from diaodu.projects.demo import _outlines

    with acting_as(None, channel="cli"):  # the demo's outlines of the zone and its parks
        _outlines({u.code: u for u in Unit.objects.filter(code__startswith="QHKFQ")})
    page = Page(chromium, live_server.url)
    p = page.login("quzhang", DEMO_PASSWORD)
    p.goto(live_server.url + "/targets/cockpit/")
    p.wait_for_selector("#pace-chart canvas")
    p.wait_for_selector("#funnel-chart canvas")
    p.wait_for_selector("body[data-map-ready='1'] #project-map .leaflet-interactive")
    # no tile server: the zone and its parks are drawn from their boundaries, not a blank
    assert p.locator("#project-map path.map-outline-zone").count() == 1
    assert p.locator("#project-map path.map-outline-park").count() >= 3
    assert p.locator("#project-map .leaflet-tile").count() == 0
    assert "清河经济开发区管委会" in p.inner_text(".page-title")
    card = p.locator("[data-testid=card][data-indicator=new_starts] [data-testid=card-actual]")
    shown = int(card.inner_text().replace(",", ""))
    assert shown > 0
    page.shot("cockpit")
    card.click()
    p.wait_for_load_state("networkidle")
    assert p.locator("[data-testid=drill-table] tbody tr").count() == shown
    assert re.sub(r"\D", "", p.inner_text("[data-testid=drill-value]")) == str(shown)
    p.goto(live_server.url + "/targets/cockpit/?screen=1")
    p.wait_for_selector("body.screen[data-charts-ready='1'] #pace-chart canvas")
    p.wait_for_timeout(300)  # let the chart animations settle before the picture
    page.shot("cockpit-screen")
    page.assert_local_only()
    page.close()
