"""A department records its own part of a procedure assigned to it — status, dates, 文号,
attachments — on a project outside its data scope, and nothing else."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.procedures import services
from diaodu.procedures.models import ProcedureAttachment

pytestmark = pytest.mark.django_db


def test_department_updates_its_item_and_attaches_the_approval(
    make_chain, client_for, person, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    chain = make_chain(name="甲项目")
    b03 = chain.items.get(code="B03")  # 自然资源局's
    assert b03.responsible_unit == demo["QHKFQ-ZR"]
    c = client_for("ziranziyuan")
    page = c.get(f"/procedures/items/{b03.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' in html and 'name="doc_number"' in html
    assert 'name="duration_wd"' not in html and 'name="predecessors"' not in html
    assert (
        f"/procedures/project/{chain.project_id}/" not in html
    )  # no link to a chain it cannot see
    r = c.post(
        f"/procedures/items/{b03.pk}/",
        {
            "version": b03.version,
            "status": "done",
            "actual_start": "2026-05-11",
            "actual_finish": "2026-05-29",
            "doc_number": "清自然资规〔2026〕8号",
            "duration_wd": "1",  # not the department's to change: ignored
            "name": "改名",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/procedures/waiting/"
    b03.refresh_from_db()
    assert (b03.status, b03.doc_number, b03.name) == ("done", "清自然资规〔2026〕8号", b03.name)
    assert b03.duration_wd != 1
    upload = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = c.post(f"/procedures/items/{b03.pk}/upload/", {"file": upload})
    assert r.status_code == 302
    att = ProcedureAttachment.objects.get(item=b03)
    assert c.get(f"/procedures/attachments/{att.pk}/").status_code == 200


def test_other_departments_and_removal_are_refused(make_chain, client_for, person):
    chain = make_chain(name="甲项目")
    b03 = chain.items.get(code="B03")
    assert client_for("zhujian").get(f"/procedures/items/{b03.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.update_item(person("zhujian"), b03, {"status": "done"})
    with pytest.raises(PermissionDenied):
        services.remove_item(person("ziranziyuan"), b03)
    assert client_for("ziranziyuan").post(f"/procedures/items/{b03.pk}/remove/").status_code == 403
