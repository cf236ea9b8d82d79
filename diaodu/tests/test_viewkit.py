"""The one error flattener and the one POST-action helper of the views."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from diaodu import viewkit


def _request():
    request = RequestFactory().post("/x/")
    request._messages = CookieStorage(request)
    return request


def _said(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_flatteners_give_each_shape_from_one_error():
    exc = ValidationError({"name": ["请填写名称。"], "__all__": ["日期冲突。", "已锁定。"]})
    assert viewkit.error_dict(exc) == {
        "name": ["请填写名称。"],
        "general": ["日期冲突。", "已锁定。"],
    }
    assert viewkit.error_texts(exc) == {"name": "请填写名称。", "__all__": "日期冲突。；已锁定。"}
    assert viewkit.error_list(exc) == ["请填写名称。", "日期冲突。", "已锁定。"]
    assert viewkit.error_text(exc) == "请填写名称。；日期冲突。；已锁定。"
    plain = ValidationError("只能退回已报送的周报。")
    assert viewkit.error_dict(plain) == {"general": ["只能退回已报送的周报。"]}
    assert viewkit.error_texts(plain) == {"__all__": "只能退回已报送的周报。"}


def test_run_action_success_error_and_denied():
    request = _request()
    r = viewkit.run_action(request, lambda: 3, success=lambda n: f"已处理 {n} 项。", to="/done/")
    assert r.status_code == 302 and r.url == "/done/"
    assert _said(request) == [("success", "已处理 3 项。")]

    def bad():
        raise ValidationError({"reason": ["请填写退回原因。"]})

    request = _request()
    seen = []
    r = viewkit.run_action(request, bad, success="不会出现", to=lambda result: f"/back/{result}")
    assert r.url == "/back/None" and _said(request) == [("error", "请填写退回原因。")]
    request = _request()
    viewkit.run_action(request, bad, success="x", to="/", on_error=seen.append)
    assert len(seen) == 1 and _said(request) == []

    def denied():
        raise PermissionDenied("无权操作此项目。")

    with pytest.raises(PermissionDenied):  # a 403 page, as before, unless the view says otherwise
        viewkit.run_action(_request(), denied, success="x", to="/")
    request = _request()
    viewkit.run_action(request, denied, success="x", to="/", denied="无权操作此项目。")
    assert _said(request) == [("error", "无权操作此项目。")]
