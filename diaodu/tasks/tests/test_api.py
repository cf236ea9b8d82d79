"""/api/v1/tasks: create, edit against a version, moves, reports, the board's figures — the same
services and scope as the pages, errors in Chinese by field."""

import json

from diaodu.tasks.models import Task


def post(c, url, data, method="post"):
    return getattr(c, method)(url, data=json.dumps(data), content_type="application/json")


def test_create_edit_move_report_board(client_for, demo, clock):
    office, dept = client_for("duchashi"), client_for("ziranziyuan")
    r = post(
        office,
        "/api/v1/tasks/",
        {"zone_id": demo["QHKFQ"].pk, "title": "", "lead_unit_id": demo["QH"].pk},
    )
    assert r.status_code == 422 and {"title", "lead_unit"} <= set(r.json()["errors"])
    r = post(office, "/api/v1/tasks/", {"zone_id": demo["QHKFQ"].pk, "title": "编制国土空间规划",
             "lead_unit_id": demo["QHKFQ-ZR"].pk, "deadline": "2026-12-31",
             "nodes": [{"title": "初稿", "due_date": "2026-11-30"}]})  # fmt: skip
    assert r.status_code == 201, r.content
    t = r.json()
    assert t["moves"] and t["milestones"][0]["title"] == "初稿"
    assert post(dept, "/api/v1/tasks/", {"zone_id": demo["QHKFQ"].pk, "title": "x",
                "lead_unit_id": demo["QHKFQ-ZR"].pk}).status_code == 403  # fmt: skip
    r = post(office, f"/api/v1/tasks/{t['id']}", {"title": "编制开发区国土空间规划"}, "patch")
    assert r.status_code == 422 and "version" in r.json()["errors"]
    r = post(
        office,
        f"/api/v1/tasks/{t['id']}",
        {"title": "编制开发区国土空间规划", "version": 1},
        "patch",
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = post(dept, f"/api/v1/tasks/{t['id']}/moves", {"action": "sign"})
    assert r.status_code == 422 and "version" in r.json()["errors"]
    r = post(dept, f"/api/v1/tasks/{t['id']}/moves", {"action": "sign", "version": 2})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = post(dept, f"/api/v1/tasks/{t['id']}/reports", {"text": "完成初稿", "percent": 100,
             "milestone_id": t["milestones"][0]["id"]})  # fmt: skip
    assert r.status_code == 201
    assert Task.objects.get(pk=t["id"]).progress == 100
    r = post(client_for("fagai"), f"/api/v1/tasks/{t['id']}/reports", {"text": "x"})
    assert r.status_code == 404
    board = office.get("/api/v1/tasks/board?by=unit").json()
    assert board[0]["label"] == "自然资源局" and board[0]["total"] == 1
    assert board[0]["drill"] == f"/tasks/?lead_unit={demo['QHKFQ-ZR'].pk}"
    assert office.get("/api/v1/tasks/board?by=x").status_code == 422
    assert office.get("/api/v1/tasks/documents").status_code == 200
    assert dept.get("/api/v1/tasks/documents").status_code == 403
