"""Who may make the department's moves, for every built-in role, through the page and the API:
the responsible unit (and the 督查室, who acts for every unit) resolves with files, sends back
and asks for an extension; whoever holds problems.assign over the project decides on it. Anyone
else gets 403 (sees the problem) or 404 (does not), and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.supervision import services
from diaodu.supervision.models import Problem, ProblemAttachment

ROLE_USERS = (
    "sysadmin",
    "secadmin",
    "auditor",
    "quzhang",
    "duchashi",
    "wl_zhuren",
    "ziranziyuan",
    "zhaoshang",
    "mishu_wl",
)
HANDLERS = {"duchashi", "ziranziyuan"}  # problems.handle over all units, or the 责任单位
DECIDERS = {"duchashi", "quzhang", "wl_zhuren"}  # problems.assign, the project in their scope
BLIND = {"sysadmin", "secadmin", "auditor", "zhaoshang"}  # the problem is not in their list
PDF = b"%PDF-1.4\n%%EOF\n"

# action → (who may make it, the form data)
MOVES = {
    "resolve": (HANDLERS, {"answer": "已办结", "evidence_note": "批复", "evidence_kind": "scan"}),
    "send_back": (HANDLERS, {"reason": "非本单位职责"}),
    "request_extension": (HANDLERS, {"new_due": "2026-12-30", "reason": "需省厅批复"}),
    "approve_extension": (DECIDERS, {}),
    "refuse_extension": (DECIDERS, {"reason": "时限内可办结"}),
}


@pytest.fixture
def assigned(cycle, make_project, person, demo, clock, media):
    p = make_project()
    pr = services.raise_problem(person("mishu_wl"), p, title="冷库用地规划条件", type_code="land")
    return services.assign_problem(person("duchashi"), pr, unit=demo["QHKFQ-ZR"], deadline_wd=5)


def _prepare(pr, action):
    """The problem back in the state the action starts from (test setup only)."""
    pending = action in ("approve_extension", "refuse_extension")
    Problem.objects.filter(pk=pr.pk).update(
        status="assigned",
        responsible_unit=pr.responsible_unit,
        due_date=pr.due_date,
        extension_due=pr.due_date.replace(day=30) if pending else None,
        extension_reason="需省厅批复" if pending else "",
    )
    ProblemAttachment.objects.all().delete()
    return Problem.objects.get(pk=pr.pk)


def _snap(pr):
    p = Problem.objects.get(pk=pr.pk)
    return (p.status, p.version, p.due_date, p.extension_due, p.responsible_unit_id)


def _files():
    return [SimpleUploadedFile("批复.pdf", PDF, "application/pdf")]


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("action", list(MOVES))
def test_page_moves_for_every_role(assigned, client_for, username, action):
    allowed, data = MOVES[action]
    pr = _prepare(assigned, action)
    before = _snap(pr)
    post = {**data, "version": pr.version}  # the hidden field of the page's form
    if action == "resolve":
        post["files"] = _files()
    r = client_for(username).post(f"/supervision/problems/{pr.pk}/{action}/", post)
    if username in allowed:
        assert r.status_code == 302, (username, action, r.status_code)
        assert _snap(pr) != before
        if action == "resolve":
            assert ProblemAttachment.objects.filter(problem=pr).count() == 1
    else:
        assert r.status_code == (404 if username in BLIND else 403), (username, r.status_code)
        assert _snap(pr) == before and not ProblemAttachment.objects.exists()


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("action", list(MOVES))
def test_api_moves_for_every_role(assigned, client_for, username, action):
    allowed, data = MOVES[action]
    pr = _prepare(assigned, action)
    before = _snap(pr)
    c = client_for(username)
    if action == "resolve":
        r = c.post(
            f"/api/v1/supervision/problems/{pr.pk}/resolve",
            {**data, "files": _files(), "version": pr.version},
        )
    else:
        r = c.post(
            f"/api/v1/supervision/problems/{pr.pk}/transition",
            {"action": action, "version": pr.version, **data},
            content_type="application/json",
        )
    if username in allowed:
        assert r.status_code == 200, (username, action, r.content[:300])
        assert _snap(pr) != before
        if action == "resolve":
            assert [f["name"] for f in r.json()["files"]] == ["批复.pdf"]
    else:
        assert r.status_code == (404 if username in BLIND else 403), (username, r.status_code)
        assert _snap(pr) == before and not ProblemAttachment.objects.exists()


def test_the_page_shows_each_person_their_forms_at_phone_width(assigned, client_for):
    land = client_for("ziranziyuan").get(f"/supervision/problems/{assigned.pk}/").content.decode()
    for testid in ("move-resolve", "move-send_back", "move-request_extension"):
        assert f'data-testid="{testid}"' in land
    assert 'enctype="multipart/form-data"' in land and 'name="files"' in land
    assert 'capture="' not in land  # camera or album
    sec = client_for("mishu_wl").get(f"/supervision/problems/{assigned.pk}/").content.decode()
    assert "move-send_back" not in sec and "move-request_extension" not in sec
    services.request_extension(
        assigned.responsible_unit.memberships.first().user,
        assigned,
        new_due="2026-12-10",
        reason="需省厅批复",
    )
    office = client_for("duchashi").get(f"/supervision/problems/{assigned.pk}/").content.decode()
    assert "move-approve_extension" in office and "move-refuse_extension" in office
    assert "申请延期至 2026-12-10" in office
    api = client_for("ziranziyuan").get(f"/api/v1/supervision/problems/{assigned.pk}").json()
    assert api["extension_due"] == "2026-12-10" and "request_extension" not in api["actions"]
    assert {"resolve", "send_back"} <= set(api["actions"])


def test_the_homes_list_what_waits(assigned, client_for, person):
    services.request_extension(
        person("ziranziyuan"), assigned, new_due="2026-12-10", reason="需省厅批复"
    )
    land = client_for("ziranziyuan").get("/").content.decode()
    assert f"problem-{assigned.pk}" in land and "已申请延期至 12月10日，待审批" in land
    office = client_for("duchashi").get("/").content.decode()
    assert f"request-{assigned.pk}" in office and "申请延期至 12月10日" in office


@pytest.mark.parametrize("username", ROLE_USERS)
def test_evidence_files_open_for_whoever_sees_the_problem(assigned, client_for, person, username):
    services.resolve_problem(
        person("ziranziyuan"),
        assigned,
        answer="已办结",
        files=_files(),
        evidence_kind="approval",
        evidence_note="批复",
    )
    att = ProblemAttachment.objects.get()
    r = client_for(username).get(f"/supervision/problems/files/{att.pk}/")
    sees = username not in BLIND
    assert r.status_code == (200 if sees else 404), (username, r.status_code)
    if sees:
        assert b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf"
