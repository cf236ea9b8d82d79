"""调度会: the agenda built from red lights, overdue/escalated problems and open action items;
edits that stick; decisions become action items that carry over meeting after meeting until closed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.engine import periods as P
from diaodu.supervision import queries, services
from diaodu.supervision.models import ActionItem


def test_agenda_and_carry_over_across_two_meetings(week, cycle, person, demo, clock):
    office, land = person("duchashi"), person("ziranziyuan")
    services.compute_lights(office, cycle, P.parse("2026-W47"))
    clock.set(
        2026, 11, 23, 9, 0
    )  # Monday: the meeting reviews week 47 (the last one past its deadline)
    with pytest.raises(PermissionDenied):
        services.create_meeting(person("wl_zhuren"), demo["QHKFQ"], {})
    m1 = services.create_meeting(
        office, demo["QHKFQ"], {"held_on": "2026-11-23", "location": "管委会三楼会议室"}
    )
    assert m1.period == "2026-W47" and m1.title == "开发区2026年第47周重点项目调度会"
    items = queries.agenda(m1)
    kinds = [i.kind for i in items]
    assert kinds == ["light", "light", "light", "problem"]
    assert "红灯项目：甲·投资滞后项目" in items[0].title and "序时进度" in items[0].detail
    assert items[3].title.startswith("督办问题：雨污管网接驳未批复")
    with pytest.raises(ValidationError, match="已建立"):
        services.create_meeting(office, demo["QHKFQ"], {"period": "2026-W47"})
    # edits: a custom topic, one red light dropped (stays dropped on rebuild), moved up
    services.add_agenda_item(office, m1, title="研究冬季施工保障措施", detail="住建局汇报")
    services.remove_agenda_item(office, items[1])
    assert services.build_agenda(office, m1) == 0
    custom = queries.agenda(m1)[-1]
    services.move_agenda_item(office, custom, "up")
    assert [i.kind for i in queries.agenda(m1)] == ["light", "light", "custom", "problem"]
    # decisions
    a1 = services.add_action_item(
        office,
        m1,
        {
            "content": "自然资源局本周内完成冷库地块规划条件调整",
            "owner_id": land.pk,
            "unit_id": demo["QHKFQ-ZR"].pk,
            "deadline": "2026-11-27",
            "project_id": week["a"].pk,
        },
    )
    a2 = services.add_action_item(
        office,
        m1,
        {
            "content": "住建局协调雨污管网接驳",
            "unit_id": demo["QHKFQ-ZJ"].pk,
            "deadline": "2026-11-30",
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.add_action_item(office, m1, {"content": "", "deadline": "2026-11-01"})
    assert set(exc.value.message_dict) == {"content", "deadline", "owner_id"}
    services.hold_meeting(office, m1, minutes="会议听取了红灯项目汇报。")
    # the owner sees it and closes the first one; the second stays open
    assert [a.pk for a in queries.action_items(land, status="open")] == [a1.pk]
    with pytest.raises(PermissionDenied):
        services.close_action_item(person("mishu_wl"), a1, result="x")
    services.close_action_item(land, a1, result="规划条件已调整并送达企业。")
    # the next meeting: the open item is on its agenda by itself, the closed one is not
    clock.set(2026, 11, 30, 9, 0)
    m2 = services.create_meeting(office, demo["QHKFQ"], {"held_on": "2026-11-30"})
    assert m2.period == "2026-W48"
    carried = [i for i in queries.agenda(m2) if i.kind == "action"]
    assert [i.action_id for i in carried] == [a2.pk]
    assert "住建局协调雨污管网接驳" in carried[0].title and "第47周" in carried[0].detail
    a3 = services.add_action_item(
        office,
        m2,
        {
            "content": "发改局督促企业报送投资统计",
            "unit_id": demo["QHKFQ-FG"].pk,
            "deadline": "2026-12-04",
        },
    )
    # and the one after: both open items, a2 carried over for the second time
    clock.set(2026, 12, 7, 9, 0)
    m3 = services.create_meeting(office, demo["QHKFQ"], {"held_on": "2026-12-07"})
    assert {i.action_id for i in queries.agenda(m3) if i.kind == "action"} == {a2.pk, a3.pk}
    assert queries.meetings_count(m3)[a2.pk] == 2
    services.close_action_item(
        person("zhujian"), a2, result="管网已接驳。"
    )  # a member of the unit may close it
    clock.set(2026, 12, 14, 9, 0)
    m4 = services.create_meeting(office, demo["QHKFQ"], {"held_on": "2026-12-14"})
    assert {i.action_id for i in queries.agenda(m4) if i.kind == "action"} == {a3.pk}
    assert ActionItem.objects.filter(status="open").count() == 1


def test_agenda_buttons_say_how_it_went(week, cycle, person, demo, clock, client_for):
    """The agenda buttons go through run_action: an error is shown and changes nothing, a
    rebuild says how many topics it added, an unknown operation is a 404."""
    clock.set(2026, 11, 23, 9, 0)
    m = services.create_meeting(person("duchashi"), demo["QHKFQ"], {"held_on": "2026-11-23"})
    c = client_for("duchashi")
    url = f"/supervision/meetings/{m.pk}/agenda/"
    before = len(queries.agenda(m))
    r = c.post(url, {"op": "add", "title": " "}, follow=True)
    assert "请填写议题" in r.content.decode() and len(queries.agenda(m)) == before
    r = c.post(url, {"op": "add", "title": "研究冬季施工保障措施"})
    assert r.status_code == 302 and r.url == f"/supervision/meetings/{m.pk}/"
    assert queries.agenda(m)[-1].title == "研究冬季施工保障措施"
    r = c.post(url, {"op": "rebuild"}, follow=True)
    assert "议程已更新，新增 0 项。" in r.content.decode()
    assert c.post(url, {"op": "nope"}).status_code == 404
