"""The audit administrator reads and searches the logs; nobody else can; nothing edits them."""

import pytest

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org import services
from diaodu.org.scope import SYSTEM


def test_only_auditor_reads_audit_log(client_for):
    assert client_for("auditor").get("/audit/").status_code == 200
    for username in ("sysadmin", "secadmin", "duchashi", "wl_zhuren", "mishu_wl"):
        assert client_for(username).get("/audit/").status_code == 403, username
        assert client_for(username).get("/audit/logins/").status_code == 403, username


def test_search_by_person_object_action_and_time(client_for, demo, person):
    c = client_for("sysadmin")
    c.post(
        f"/org/units/{demo['QHKFQ-GX'].pk}/edit/",
        {
            "name": "高新技术产业园区",
            "short_name": "高新园",
            "code": "QHKFQ-GX",
            "kind": "park",
            "parent": demo["QHKFQ"].pk,
            "sort_order": "3",
            "region_code": "",
        },
    )
    a = client_for("auditor")
    html = a.get("/audit/", {"person": "sysadmin"}).content.decode()
    assert "高新技术产业园区" in html
    html = a.get("/audit/", {"action": "unit.update", "object_type": "org.unit"}).content.decode()
    assert "unit.update" in html
    html = a.get("/audit/", {"person": "nobody"}).content.decode()
    assert "没有符合条件的记录" in html
    html = a.get("/audit/", {"since": "2099-01-01"}).content.decode()
    assert "没有符合条件的记录" in html
    html = a.get("/audit/", {"since": "2026-13-01"}).content.decode()
    assert "开始日期格式" in html
    html = a.get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert "开始日期不能晚于结束日期" in html
    e = AuditEntry.objects.filter(actor_name="sysadmin").first()
    assert e is not None and e.channel == "web"
    assert a.get(f"/audit/{e.pk}/").status_code == 200


def test_no_write_routes_exist(client_for):
    a = client_for("auditor")
    e = AuditEntry.objects.first()
    assert (
        a.post(f"/audit/{e.pk}/", {"action": "x"}).status_code in (403, 405)
        or AuditEntry.objects.get(pk=e.pk).action == e.action
    )
    assert (
        a.delete(f"/audit/{e.pk}/").status_code in (403, 405)
        or AuditEntry.objects.filter(pk=e.pk).exists()
    )
    assert AuditEntry.objects.get(pk=e.pk).action == e.action


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_list_query_count_is_fixed(client_for, django_assert_max_num_queries, rows, demo):
    with acting_as(None):
        for i in range(rows):
            services.update_unit(SYSTEM, demo["QHKFQ-WL"], sort_order=i + 1)
    a = client_for("auditor")
    a.get("/audit/")
    with django_assert_max_num_queries(12):
        assert a.get("/audit/").status_code == 200
