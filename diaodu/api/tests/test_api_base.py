"""API skeleton: OpenAPI, /me, personal tokens (stored hashed, revocable, expiring)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from diaodu.org import services
from diaodu.org.models import ApiToken


def test_openapi_schema_served(client_for):
    r = client_for("mishu_wl").get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"].startswith("调度")
    assert "/api/v1/me" in spec["paths"] and "/api/v1/units/{unit_id}" in spec["paths"]


def test_operation_ids_name_the_app_api_not_its_topic_module(client_for):
    """An API split into `*_routes` modules keeps the operation ids clients were generated from."""
    spec = client_for("mishu_wl").get("/api/v1/openapi.json").json()  # signed-in only
    listing = spec["paths"]["/api/v1/supervision/reports"]["get"]
    assert listing["operationId"] == "diaodu_supervision_api_list_reports"
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert not [i for i in ids if "_routes_" in i]
    assert len(ids) == len(set(ids))


def test_token_lifecycle(person, client_for):
    user = person("wl_zhuren")
    token, raw = services.create_token(user, "数据对接")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert raw.startswith(stored.prefix)
    c = Client()
    r = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    me = r.json()
    assert me["username"] == "wl_zhuren" and "projects.view" in me["permissions"]
    assert me["data_scope"]["all"] is False
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    services.revoke_token(user, token)
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_expired_token_and_disabled_user(person):
    user = person("mishu_wl")
    token, raw = services.create_token(user, "过期")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    _t2, raw2 = services.create_token(user, "有效")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_token_pages(client_for, person):
    c = client_for("mishu_wl")
    r = c.post("/me/tokens/", {"name": "手机端", "days": "30"}, follow=True)
    html = r.content.decode()
    assert "只显示这一次" in html
    token = ApiToken.objects.get(user__username="mishu_wl")
    other = client_for("wl_zhuren")
    assert other.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404  # not theirs
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    c.post(f"/me/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_session_auth_works_for_api(client_for):
    r = client_for("duchashi").get("/api/v1/me")
    assert r.status_code == 200 and r.json()["name"] == "周敏"
    assert r.headers["X-Request-ID"]
