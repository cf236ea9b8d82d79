import pytest

from diaodu.audit.context import acting_as
from diaodu.notify.testing import robot_server, smtp_sink, task_backend  # noqa: F401  (fixtures)
from diaodu.org.scope import SYSTEM


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.NOTIFY_RETRY_DELAYS = (
        0,
        0,
    )  # retries at once: a whole retry chain runs in one worker pass
    settings.NOTIFY_TIMEOUT_SECONDS = 3


@pytest.fixture
def make_channel(demo):
    from diaodu.notify import services

    def make(unit="QHKFQ", kind="wecom", name="督查工作群", **data):
        if kind != "email":
            data.setdefault("webhook_url", "http://127.0.0.1:9/send?key=k")  # never the internet
        with acting_as(None):
            return services.create_channel(SYSTEM, unit=demo[unit], kind=kind, name=name, **data)

    return make
