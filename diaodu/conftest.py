"""Shared fixtures: the demo zone and signed-in clients for its accounts."""

import pytest

from diaodu.audit.context import acting_as


def pytest_configure(config):
    """Transactional tests end with a flush (TRUNCATE of every table). On PostgreSQL the audit
    tables refuse TRUNCATE by trigger; the test database's owner resets them the way only a
    superuser can, with triggers off for that one transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "_diaodu_test_flush", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return ["SET LOCAL session_replication_role = replica", *sql] if sql else sql

    sql_flush._diaodu_test_flush = True
    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture
def demo(db):
    from diaodu.org import demo as org_demo
    from diaodu.org.models import Unit

    with acting_as(None, channel="cli"):
        org_demo.build()
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def person(demo):
    from diaodu.org.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(demo, client):
    """A fresh test client signed in as the given demo account."""
    from django.test import Client

    from diaodu.org.models import User

    def make(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    return make


class _PinnedClock:
    """The platform clock (diaodu.clock) pinned for a test: `clock.set(2026, 11, 18, 9, 0)`."""

    def __init__(self, at):
        from diaodu import clock

        self._clock = clock
        self.at = at

    def set(self, *args):
        import datetime as dt

        from django.utils import timezone

        at = args[0] if len(args) == 1 else timezone.make_aware(dt.datetime(*args))
        self.at = self._clock.set_pinned(at)
        return self.at

    def today(self):
        return self._clock.today()


@pytest.fixture
def pinned_clock():
    """Pins the platform clock for the whole process (live servers included) during the test;
    starts at Wednesday 2026-11-18 10:00 local time."""
    import datetime as dt

    from django.utils import timezone

    from diaodu import clock

    with clock.pinned(timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))) as at:
        yield _PinnedClock(at)
