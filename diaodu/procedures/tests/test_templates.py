"""Default templates (seeded, sourced), versioning, cycles refused, who may edit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.context import acting_as
from diaodu.org.models import Role
from diaodu.org.scope import SYSTEM
from diaodu.procedures import defaults, services
from diaodu.procedures.models import Procedure, ProcedureTemplate, Stage


def rows_of(tpl):
    from diaodu.procedures.models import format_predecessors

    return [
        {
            "code": p.code,
            "name": p.name,
            "stage": p.stage,
            "duration_wd": p.duration_wd,
            "duration_source": p.duration_source,
            "predecessors": format_predecessors(p.predecessors),
            "responsible_text": p.responsible_text,
            "documents": "；".join(p.documents),
        }
        for p in tpl.items.all()
    ]


def test_four_default_templates_with_sources(db):
    tpls = {t.code: t for t in ProcedureTemplate.objects.filter(is_current=True)}
    assert set(tpls) == {
        "gov_invest",
        "enterprise_approval",
        "enterprise_filing",
        "land_with_design",
    }
    items = {(p.template.code, p.name): p for p in Procedure.objects.select_related("template")}
    assert all(p.duration_source for p in items.values())
    assert {p.stage for p in items.values()} == set(Stage.values)
    permit = items[("enterprise_approval", "施工许可证")]
    assert permit.duration_wd == 7 and "《建筑法》第八条" in permit.duration_source
    approval = items[("enterprise_approval", "项目核准")]
    assert approval.duration_wd == 20 and "第十一条" in approval.duration_source
    assert items[("enterprise_approval", "环境影响评价（报告书）")].duration_wd == 60
    assert items[("enterprise_filing", "环境影响评价（报告表）")].duration_wd == 30
    assert items[("land_with_design", "环境影响评价（登记表）")].duration_wd == 0
    assert any(p.duration_source == "地方实践" for p in items.values())
    depts = {p.responsible_text for p in items.values()}
    assert {"发改局", "自然资源局", "住建局", "征收办", "招商局"} <= depts
    assert defaults.seed() == 0  # idempotent


def test_new_permission_keys_on_builtin_roles(db):
    assert "sys.calendar" in Role.objects.get(code="sysadmin").permissions
    assert "procedures.templates" in Role.objects.get(code="supervisor").permissions
    role = Role.objects.get(code="sysadmin")
    role.permissions = [k for k in role.permissions if k != "sys.calendar"]
    role.save()
    defaults.grant_role_keys()  # what the data migration does on an existing database
    assert Role.objects.get(code="sysadmin").permissions.count("sys.calendar") == 1


def test_editing_creates_a_version_and_chains_keep_theirs(make_chain, client_for):
    old_chain = make_chain(name="老项目")
    v1 = ProcedureTemplate.objects.get(code="enterprise_filing", is_current=True)
    rows = rows_of(v1)
    for r in rows:
        if r["code"] == "B15":
            r["duration_wd"] = 10
    post = {
        "code": v1.code,
        "name": v1.name,
        "description": v1.description,
        "change_note": "施工许可按10日",
    }
    for k in (
        "code",
        "name",
        "stage",
        "duration_wd",
        "duration_source",
        "predecessors",
        "responsible_text",
        "documents",
    ):
        post[f"row_{k}"] = [r[k] for r in rows] + ["", "", ""]
    post["row_name"][-3] = ""
    c = client_for("duchashi")
    assert c.get(f"/procedures/templates/{v1.pk}/edit/").status_code == 200
    r = c.post(f"/procedures/templates/{v1.pk}/edit/", post)
    assert r.status_code == 302, r.content.decode()[:2000]
    v2 = ProcedureTemplate.objects.get(code="enterprise_filing", is_current=True)
    assert v2.version == 2 and v2.change_note == "施工许可按10日"
    assert not ProcedureTemplate.objects.get(pk=v1.pk).is_current
    assert v2.items.get(code="B15").duration_wd == 10 and v1.items.get(code="B15").duration_wd == 7
    assert v2.items.count() == v1.items.count()
    old_chain.refresh_from_db()
    assert old_chain.template_id == v1.pk and old_chain.items.get(code="B15").duration_wd == 7
    new_chain = make_chain(name="新项目")
    assert new_chain.template_id == v2.pk and new_chain.items.get(code="B15").duration_wd == 10
    html = c.get(f"/procedures/templates/{v1.pk}/").content.decode()
    assert "历史版本" in html and "第2版" in html
    # the old version cannot be revised any more
    with pytest.raises(ValidationError):
        services.save_template(SYSTEM, v1, name=v1.name, items=rows)


def test_cycle_refused_on_template_save(person):
    tpl = ProcedureTemplate.objects.get(code="enterprise_filing", is_current=True)
    rows = rows_of(tpl)
    rows[0]["predecessors"] = "B15"  # 入园评审 after 施工许可: a cycle
    with pytest.raises(ValidationError) as exc:
        services.save_template(person("duchashi"), tpl, name=tpl.name, items=rows)
    assert "循环依赖" in exc.value.message_dict["items"][0]
    rows[0]["predecessors"] = "B99"
    with pytest.raises(ValidationError) as exc:
        services.save_template(person("duchashi"), tpl, name=tpl.name, items=rows)
    assert "B99 不存在" in exc.value.message_dict["items"][0]
    rows[0]["predecessors"] = ""
    rows[1]["duration_wd"] = "三天"
    with pytest.raises(ValidationError) as exc:
        services.save_template(person("duchashi"), tpl, name=tpl.name, items=rows)
    assert "第 2 行（B02）" in exc.value.message_dict["items"][0]
    assert ProcedureTemplate.objects.filter(code="enterprise_filing").count() == 1


def test_only_template_keepers_edit(person, client_for):
    tpl = ProcedureTemplate.objects.get(code="gov_invest")
    with pytest.raises(PermissionDenied):
        services.save_template(person("wl_zhuren"), tpl, name="x", items=rows_of(tpl))
    assert client_for("wl_zhuren").get(f"/procedures/templates/{tpl.pk}/edit/").status_code == 403
    html = client_for("wl_zhuren").get("/procedures/templates/").content.decode()
    assert "政府投资项目" in html and "新建模板" not in html
    with acting_as(None):
        new = services.save_template(
            person("duchashi"),
            None,
            code="custom",
            name="自定模板",
            items=[
                {
                    "code": "A1",
                    "name": "备案",
                    "stage": "land_planning",
                    "duration_wd": "1",
                    "predecessors": "",
                },
                {
                    "code": "A2",
                    "name": "施工许可",
                    "stage": "construction",
                    "duration_wd": "7",
                    "predecessors": "A1+2",
                    "duration_source": "《建筑法》第八条",
                },
            ],
        )
    assert new.version == 1 and new.items.get(code="A2").predecessors == [
        {"code": "A1", "lag_wd": 2}
    ]
    assert new.items.get(code="A1").duration_source == "地方实践"
