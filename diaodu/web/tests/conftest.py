# Fixtures of the background-work tests: real worker/scheduler processes, a private redis-server.
# The supervision loop's week, for the home page tests.
from diaodu.supervision.tests.conftest import (  # noqa: F401
    clock,
    cycle,
    make_project,
    media,
    week,
)
from diaodu.web.tests.background import live_demo, processes, redis_server  # noqa: F401
