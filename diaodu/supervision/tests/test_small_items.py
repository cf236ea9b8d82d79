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
