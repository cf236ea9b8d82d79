"""The API cannot be crashed: schemathesis generates requests from the OpenAPI document — every
operation, valid and invalid parameters and bodies — and sends them through the real WSGI
application, signed in with a privileged token (督查室, 全部数据) and a low-privilege one
(项目秘书, 仅本人), over the demo zone. No answer may be a 5xx.

The budget is fixed (``DIAODU_FUZZ_EXAMPLES`` examples per operation and token, default 8) so the
run stays within CI's time; raise it locally for a deeper run. Hypothesis is derandomised: a
failure is repeatable, and the failing request is printed."""

import os
from collections import Counter
from io import StringIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from diaodu.audit.context import acting_as
from diaodu.org import services as org_services
from diaodu.org.models import User

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("DIAODU_FUZZ_EXAMPLES", "8"))
ROLES = ("duchashi", "mishu_wl")


class _App(WSGIHandler):
    """The project's WSGI application, keeping the test's database connection open across
    requests (as Django's test client does): a request must not close the connection that holds
    the test's transaction."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            return list(response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _token(username: str) -> str:
    user = User.objects.get(username=username)
    User.objects.filter(pk=user.pk).update(must_change_password=False, locked_until=None)
    with acting_as(user):
        _t, raw = org_services.create_token(user, "fuzz", 30)
    return raw


def _fuzz_operation(op, app, who: str, headers: dict, failures: list, seen: Counter) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    # valid requests (reach the services) and invalid ones (wrong types, missing fields, bad
    # values: must be refused with a 4xx)
    @given(case=st.one_of([op.as_strategy(mode) for mode in schemathesis.GenerationMode]))
    def run(case):
        response = case.call(app=app, headers=headers)
        seen[response.status_code // 100] += 1
        if response.status_code >= 500:
            failures.append(
                f"{who}: {response.status_code} {case.method} {case.formatted_path} "
                f"query={case.query!r} body={case.body!r}"
            )

    run()


@pytest.mark.django_db(transaction=False)
def test_no_operation_answers_5xx():
    call_command("demo", stdout=StringIO(), skip_checks=True)
    app = _App()
    tokens = {username: _token(username) for username in ROLES}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, headers={"Authorization": f"Bearer {tokens['duchashi']}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, len(operations)
    failures: list[str] = []
    seen: Counter = Counter()
    for username, raw in tokens.items():
        headers = {"Authorization": f"Bearer {raw}"}
        for op in operations:
            if op.path.startswith("/me/tokens") and op.method.upper() == "DELETE":
                continue  # would revoke the token the run signs in with
            _fuzz_operation(op, app, username, headers, failures, seen)
    assert not failures, "\n".join(failures[:30])
    # the run really reached the handlers: answers and refusals both
    assert seen[2] > 50 and seen[4] > 50, seen
