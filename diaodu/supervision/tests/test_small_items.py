"""Smaller items of the weekly loop: a meeting date before its period is refused, by name; the
销号 form offers 满意度 only to the person who may give it (the raiser); an empty form names
every gap, not only the first."""

import pytest
from django.core.exceptions import ValidationError

from diaodu.supervision import services
from diaodu.supervision.models import DispatchMeeting

pytestmark = pytest.mark.django_db


def test_meeting_before_its_period_is_refused(cycle, demo, person, clock):
    office = person("duchashi")
    with pytest.raises(ValidationError) as exc:
        services.create_meeting(
            office, demo["QHKFQ"], {"held_on": "2026-11-13", "period": "2026-W47"}
        )
    assert "会议日期" in exc.value.message_dict["held_on"][0]
    assert not DispatchMeeting.objects.exists()
    m = services.create_meeting(
        office, demo["QHKFQ"], {"held_on": "2026-11-23", "period": "2026-W47"}
    )
    assert m.held_on.isoformat() == "2026-11-23"


def test_close_form_offers_satisfaction_only_to_the_raiser(week, person, client_for):
    pr = week["d"].problems.get()
    zj = person("zhujian")
    services.start_problem(zj, pr)
    services.resolve_problem(zj, pr, answer="已批复")
    office_page = client_for("duchashi").get(f"/supervision/problems/{pr.pk}/").content.decode()
    assert "/close/" in office_page and 'name="satisfaction"' not in office_page
    raiser_page = client_for("mishu_wl").get(f"/supervision/problems/{pr.pk}/").content.decode()
    assert 'name="satisfaction"' in raiser_page


def test_empty_contact_form_names_every_gap(cycle, client_for):
    html = client_for("mishu_wl").post("/supervision/contacts/new/", {}).content.decode()
    for message in ("请选择项目", "参加人员", "企业联系人", "请选择对接方式", "对接内容"):
        assert message in html, message


FIELD_ERROR = r'class="[^"]*is-invalid[^"]*" id="{f}"[^>]*>.*?<div class="invalid-feedback" data-error="{f}">([^<]+)</div>'


def field_errors(html: str, fields) -> dict:
    import re

    out = {}
    for f in fields:
        m = re.search(FIELD_ERROR.format(f=f), html, re.S)
        if m:
            out[f] = m.group(1)
    return out


def test_empty_problem_form_shows_every_error_at_its_field(cycle, client_for):
    from diaodu.supervision.models import Problem

    r = client_for("mishu_wl").post("/supervision/problems/new/", {})
    assert r.status_code == 200
    got = field_errors(r.content.decode(), ("project", "title", "type_code"))
    assert got == {
        "project": "请选择项目。",
        "title": "请填写问题概述。",
        "type_code": "请选择问题类型。",
    }
    assert not Problem.objects.exists()


def test_empty_contact_form_shows_every_error_at_its_field(cycle, client_for):
    html = client_for("mishu_wl").post("/supervision/contacts/new/", {}).content.decode()
    fields = ("project", "method", "people", "enterprise_contact", "content")
    got = field_errors(html, fields)
    assert set(got) == set(fields)
    assert all("\u4e00" <= v[0] <= "\u9fff" for v in got.values()), got  # in Chinese


def test_api_contact_create_answers_the_stored_contact(cycle, make_project, client_for, clock):
    from diaodu.supervision.models import ContactLog

    p = make_project()
    resp = client_for("mishu_wl").post(
        "/api/v1/supervision/contacts",
        {
            "project_id": p.pk,
            "on": "2026-11-17",
            "people": "高明",
            "enterprise_contact": "李经理",
            "method": "visit",
            "content": "现场查看钢结构吊装。",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    stored = ContactLog.objects.get(pk=body["id"])
    assert body["project_name"] == p.name and body["project_id"] == p.pk
    assert (body["content"], body["method"], body["on"]) == (stored.content, "visit", "2026-11-17")
