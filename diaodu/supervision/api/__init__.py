"""Supervision API (mounted at /api/v1/supervision): reports with photo upload (multipart),
reminders, contact logs, problems and their moves, lights, meetings and action items, and the
period summary. Same queries (scoped: 404 outside the scope) and services (validated in Chinese,
audited) as the pages.

Split by topic: ``schemas``, ``common`` (the router and the record-to-dict helpers) and one
``*_routes`` module per topic. Importing a routes module registers its endpoints on the router;
the order below is the order of the API documentation.
"""

from .common import router

# isort: off
from . import report_routes  # noqa: F401
from . import contact_routes  # noqa: F401
from . import problem_routes  # noqa: F401
from . import light_routes  # noqa: F401
from . import meeting_routes  # noqa: F401
from . import summary_routes  # noqa: F401

# isort: on

__all__ = ["router"]
