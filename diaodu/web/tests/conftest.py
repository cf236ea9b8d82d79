# Fixtures of the background-work tests: real worker/scheduler processes, a private redis-server.
from diaodu.web.tests.background import live_demo, processes, redis_server  # noqa: F401
