"""Every "now" and "today" of the application comes from diaodu.clock.

A bare ``timezone.now()`` or ``date.today()`` in app code would not follow a pinned test clock or a
replayed demo, and the platform would disagree with itself about what day it is. This test reads
the source tree (migrations and tests aside) and names each bare call it finds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import diaodu

ROOT = Path(diaodu.__file__).resolve().parent
ALLOWED = {ROOT / "clock.py"}

# Calls that read the current time whatever their arguments …
ALWAYS = ("timezone.now", "date.today", "datetime.now", "datetime.utcnow", "datetime.today")
# … and conversions that read it only when called without an argument.
WITHOUT_ARGS = ("timezone.localdate", "timezone.localtime", "timezone.template_localtime")
# Names that must not be imported bare from django.utils.timezone.
BARE_IMPORTS = {"now", "localdate", "localtime"}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if "migrations" in rel or "tests" in rel or path.name == "conftest.py":
            continue
        if path in ALLOWED:
            continue
        yield path


def bare_clock_calls(path: Path, text: str | None = None) -> list[str]:
    tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone":
            for alias in node.names:
                if alias.name in BARE_IMPORTS:
                    found.append(
                        f"{path}:{node.lineno} from django.utils.timezone import {alias.name}"
                    )
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        hit = any(name == n or name.endswith("." + n) for n in ALWAYS)
        if not hit and not node.args and not node.keywords:
            hit = any(name == n or name.endswith("." + n) for n in WITHOUT_ARGS)
        if hit:
            found.append(f"{path}:{node.lineno} {name}()")
    return found


def test_no_bare_clock_calls_outside_diaodu_clock():
    found = [hit for path in _sources() for hit in bare_clock_calls(path)]
    assert not found, (
        "use diaodu.clock (now/today/localtime, or wall_now for security and queues):\n"
        + "\n".join(found)
    )


def test_the_scan_catches_each_form():
    code = (
        "import datetime as dt\n"
        "from datetime import date, datetime\n"
        "from django.utils import timezone\n"
        "a = timezone.now()\n"
        "b = timezone.localdate()\n"
        "c = date.today()\n"
        "d = datetime.now()\n"
        "e = dt.date.today()\n"
        "f = timezone.localtime()\n"
        "ok1 = timezone.localdate(a)\n"
        "ok2 = timezone.localtime(a)\n"
        "ok3 = dict(default=timezone.now)\n"
    )
    hits = bare_clock_calls(Path("x.py"), code)
    assert [h.split(":")[1].split()[0] for h in hits] == ["4", "5", "6", "7", "8", "9"]
    assert bare_clock_calls(Path("y.py"), "from django.utils.timezone import now\n")
