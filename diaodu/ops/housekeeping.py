"""Recovery work that the scheduler runs on every tick (every 20 s by default):

- the outbox relay (tasks recorded while Redis was away),
- whatever the apps registered in `AppConfig.ready()`, e.g. the ledger's import jobs whose
  worker died (`register("projects.import_jobs", "diaodu.projects.jobs.recover")`).

Each function takes no argument and returns something printable (a count). The registry is
configuration filled at start-up, like a URLconf.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string

from diaodu.ops.faults import transient_errors

log = logging.getLogger("diaodu.ops")
_registry: dict[str, str] = {"ops.outbox": "diaodu.ops.outbox.relay"}


def register(name: str, func_path: str) -> None:
    _registry[name] = func_path


def registered() -> dict[str, str]:
    return dict(_registry)


def run() -> dict[str, object]:
    """Run every registered recovery once. A lost connection is raised (the caller backs off);
    any other error is logged and the others still run."""
    out: dict[str, object] = {}
    for name, path in sorted(_registry.items()):
        try:
            out[name] = import_string(path)()
        except transient_errors():
            raise
        except Exception:
            log.exception("housekeeping %s failed", name)
            out[name] = "error"
    return out
