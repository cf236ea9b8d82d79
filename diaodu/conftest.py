"""Shared fixtures: the demo zone and signed-in clients for its accounts."""

import pytest

from diaodu.audit.context import acting_as


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
