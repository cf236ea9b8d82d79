"""Project services: validation, optimistic locking, stage moves — each write audited."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import verify
from diaodu.projects import services
from diaodu.projects.models import Project, StageChange


def test_create_records_audit_and_stage(make_project):
    p = make_project("年产20万吨新能源汽车零部件项目", national_code="2026-220199-36-03-000123")
    assert p.name_key and p.stage == "signed"
    assert StageChange.objects.filter(project=p).count() == 1
    e = AuditEntry.objects.filter(action="project.create", object_id=str(p.pk)).get()
    assert e.after["national_code"] == "2026-220199-36-03-000123"
    assert verify().ok


@pytest.mark.parametrize(
    "data, field, needle",
    [
        ({"national_code": "2026-22019-36-03-000123"}, "national_code", "格式不正确"),
        ({"total_investment": "-5"}, "total_investment", "负数"),
        ({"total_investment": "abc"}, "total_investment", "数字"),
        (
            {"total_investment": "100", "annual_plan_investment": "200"},
            "annual_plan_investment",
            "超过总投资",
        ),
        (
            {"planned_start_date": date(2026, 6, 1), "planned_completion_date": date(2026, 5, 1)},
            "planned_completion_date",
            "不能早于",
        ),
        (
            {"actual_start_date": timezone.localdate() + timedelta(days=3)},
            "actual_start_date",
            "晚于今天",
        ),
        ({"latitude": "95"}, "latitude", "之间"),
        ({"name": ""}, "name", "必填"),
        ({"plan_category": "whatever"}, "plan_category", "无效"),
    ],
)
def test_validation_changes_nothing(make_project, demo, person, data, field, needle):
    from diaodu.org.scope import SYSTEM

    before = (Project.objects.count(), AuditEntry.objects.count())
    payload = {"name": "验证项目", **data}
    with acting_as(None), pytest.raises(ValidationError) as exc:
        services.create_project(SYSTEM, unit=demo["QHKFQ-WL"], data=payload)
    assert field in exc.value.message_dict
    assert needle in " ".join(exc.value.message_dict[field])
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


def test_national_code_unique_and_normalised(make_project, demo):
    make_project("甲", national_code="2026-220199-36-03-000001")
    from diaodu.org.scope import SYSTEM

    with acting_as(None), pytest.raises(ValidationError) as exc:
        services.create_project(
            SYSTEM,
            unit=demo["QHKFQ-ZB"],
            data={"name": "乙", "national_code": "２０２６－220199-36-03-000001"},
        )
    assert "已被其他项目使用" in str(exc.value)


def test_optimistic_locking_refuses_second_save_and_says_what_changed(make_project, person):
    p = make_project("智慧冷链物流园项目")
    a, b = person("wl_zhuren"), person("duchashi")
    v = p.version
    with acting_as(a):
        services.update_project(a, p, data={"total_investment": Decimal("52000")}, version=v)
    with acting_as(b), pytest.raises(services.ConflictError) as exc:
        services.update_project(b, p, data={"progress_text": "主体封顶"}, version=v)
    msg = str(exc.value)
    assert "wl_zhuren" in msg and "总投资" in msg and "52000" in msg
    p.refresh_from_db()
    assert p.total_investment == Decimal("52000") and p.progress_text == ""
    with acting_as(b):
        services.update_project(b, p, data={"progress_text": "主体封顶"}, version=p.version)
    p.refresh_from_db()
    assert p.progress_text == "主体封顶" and p.total_investment == Decimal("52000")


def test_scope_on_writes(make_project, person):
    p = make_project("物流园项目", unit="QHKFQ-WL")
    with pytest.raises(PermissionDenied):
        services.update_project(person("zb_zhuren"), p, data={"remarks": "x"}, version=p.version)
    with pytest.raises(PermissionDenied):
        services.update_project(
            person("fagai"), p, data={"remarks": "x"}, version=p.version
        )  # view-only role
    with pytest.raises(PermissionDenied):
        services.update_project(
            person("sysadmin"), p, data={"remarks": "x"}, version=p.version
        )  # 三员: no business


def test_secretary_self_scope(make_project, person):
    mine = make_project("本人项目", secretary="mishu_wl")
    other = make_project("他人项目", secretary="mishu_zb", unit="QHKFQ-ZB")
    from diaodu.projects import queries

    seen = set(queries.visible(person("mishu_wl")).values_list("name", flat=True))
    assert seen == {"本人项目"}
    with acting_as(person("mishu_wl")):
        services.update_project(
            person("mishu_wl"), mine, data={"progress_text": "开工"}, version=mine.version
        )
    with pytest.raises(PermissionDenied):
        services.update_project(
            person("mishu_wl"), other, data={"progress_text": "x"}, version=other.version
        )


def test_stage_moves_with_history_and_dates(make_project, person):
    p = make_project("医药孵化器", unit="QHKFQ-SY", secretary="mishu_sy")
    u = person("sy_zhuren")
    with acting_as(u):
        p = services.transition(u, p, "landed", date(2026, 4, 1), note="完成土地摘牌")
        p = services.transition(u, p, "preparing", date(2026, 4, 10))
        with pytest.raises(ValidationError) as exc:
            services.transition(u, p, "completed", date(2026, 5, 1))
        assert "不能从" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.transition(u, p, "under_construction", date(2026, 4, 9))
        assert "早于上一次" in str(exc.value)
        p = services.transition(u, p, "under_construction", date(2026, 5, 6))
        assert p.actual_start_date == date(2026, 5, 6)
        with pytest.raises(ValidationError, match="原因"):
            services.transition(u, p, "suspended", date(2026, 6, 1))
        p = services.transition(u, p, "suspended", date(2026, 6, 1), reason="企业资金链紧张")
        assert p.resume_stage == "under_construction"
        with pytest.raises(ValidationError):
            services.transition(u, p, "completed", date(2026, 7, 1))
        p = services.transition(u, p, "under_construction", date(2026, 7, 1), note="资金到位复工")
    history = list(p.stage_changes.values_list("to_stage", flat=True))
    assert history == [
        "signed",
        "landed",
        "preparing",
        "under_construction",
        "suspended",
        "under_construction",
    ]
    assert AuditEntry.objects.filter(action="project.stage", object_id=str(p.pk)).count() == 5


def test_parse_industry(db):
    from diaodu.org.builtin import seed

    seed()
    assert services.parse_industry("C36 汽车制造业") == ("C36", "汽车制造业")
    assert services.parse_industry("3670") == ("C3670", "汽车制造业")
    assert services.parse_industry("医药制造业")[0] == "C27"
    assert services.parse_industry("G") == ("G", "交通运输、仓储和邮政业")
    assert services.parse_industry("不知道的行业") == ("", "不知道的行业")
