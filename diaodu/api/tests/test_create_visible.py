"""A created object is visible to its creator, or the create is refused with a reason — never a
201 (or a row) followed by a 404: every API create, for every built-in role that may make it."""

import json

import pytest

from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM
from diaodu.projects import services as project_services
from diaodu.projects.models import Project
from diaodu.supervision.models import DispatchMeeting, Problem

RAISERS = ("quzhang", "duchashi", "wl_zhuren", "mishu_wl")  # problems.raise over 物流园's project


def _post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("username", RAISERS)
def test_problem_created_is_visible_to_its_creator(client_for, demo, person, username):
    c = client_for(username)
    with acting_as(None):
        project = project_services.create_project(
            SYSTEM, unit=demo["QHKFQ-WL"], data={"name": "冷链项目"}, secretary=person("mishu_wl")
        )
    n = Problem.objects.count()
    r = _post(
        c,
        "/api/v1/supervision/problems",
        {"project_id": project.pk, "title": "探测问题", "type_code": "land"},
    )
    if r.status_code == 201:
        assert c.get(f"/api/v1/supervision/problems/{r.json()['id']}").status_code == 200
        assert c.get(f"/supervision/problems/{r.json()['id']}/").status_code == 200
    else:
        assert r.status_code in (403, 404, 422) and r.json()["detail"], r.content
        assert Problem.objects.count() == n


@pytest.mark.parametrize("username", ("duchashi", "wl_zhuren", "quzhang", "mishu_wl"))
def test_project_and_meeting_created_are_visible_or_refused(client_for, demo, username):
    c = client_for(username)
    n = Project.objects.count()
    r = _post(
        c, "/api/v1/projects/", {"name": f"探测项目{username}", "unit_id": demo["QHKFQ-WL"].pk}
    )
    if r.status_code == 201:
        assert c.get(f"/api/v1/projects/{r.json()['id']}").status_code == 200
    else:
        assert r.status_code in (403, 422) and Project.objects.count() == n, r.content
    m = DispatchMeeting.objects.count()
    r = _post(c, "/api/v1/supervision/meetings", {"unit_id": demo["QHKFQ"].pk})
    if r.status_code == 201:
        assert c.get(f"/api/v1/supervision/meetings/{r.json()['id']}").status_code == 200
    else:
        assert r.status_code in (403, 404, 422) and DispatchMeeting.objects.count() == m
