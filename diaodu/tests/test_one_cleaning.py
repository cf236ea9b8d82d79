"""Raw input is turned into values in one place: diaodu.engine.cleaning.

Services, forms, API schemas, views and importers call the cleaning functions (through
``diaodu.cleanfields`` in forms and schemas) instead of writing their own ``_decimal``/``_date``
helpers. This test reads the source tree (migrations and tests aside) like test_one_clock and
names what looks like a new hand-written parser:

* a function named like a parser (``parse_decimal``, ``_amount``, ``_int``, ``_date``,
  ``to_decimal`` …) whose body does not call ``cleaning``;
* ``date.fromisoformat`` / ``datetime.strptime`` / ``time.fromisoformat`` on input;
* ``int(…)``, ``float(…)`` or ``Decimal(…)`` of ``str(…)`` or ``….strip()`` — the signature of
  text being parsed by hand.

The places below are deliberately their own: each says why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import diaodu

ROOT = Path(diaodu.__file__).resolve().parent

# Whole modules that read something other than a person's input, or that are the tolerant
# readers the project keeps on purpose (they call cleaning for the final check).
ALLOWED_MODULES = {
    "engine/cleaning.py": "the cleaning module itself",
    "engine/ledger/values.py": "the messy-ledger reader's tolerant cell parsing (final check: cleaning)",
    "engine/ledger/reader.py": "the messy-ledger reader: header and row numbers of the sheet",
    "engine/ledger/headers.py": "the messy-ledger reader: header cells",
    "engine/ledger/writer.py": "writes stored values to .xlsx (no input)",
    "engine/taskextract/numerals.py": "Chinese numerals inside document text (extraction, not a field)",
    "engine/taskextract/quantities.py": "quantities inside document text (extraction, not a field)",
    "engine/taskextract/segment.py": "item numbers inside document text (extraction, not a field)",
    "engine/scoring.py": "rule data already cleaned by the services",
    "envconf.py": "settings from the environment, with their own strict start-up errors",
    "notify/tasks.py": "a slot the scheduler itself serialised",
    "supervision/photos.py": "EXIF data written by a camera",
    "procedures/workcal.py": "dates the calendar service stored as ISO text",
    "targets/queries.py": "pace weights stored as JSON by the services",
}
# Functions whose parser-like name is about something else.
ALLOWED_FUNCTIONS = {
    ("tasks/services/notices.py", "_number"): "the next 督办单 number, not a parser",
}
# Output formatting of stored values and generated demo data are not input.
ALLOWED_NAMES = ("templatetags", "demo", "synthetic", "documents.py", "bulletin.py", "models.py")

PARSER_NAME = re.compile(
    r"^_?(parse_|to_|clean_)?(decimal|amount|int|int_in|integer|date|number|float|percent|money)$"
)
ISO_CALLS = ("fromisoformat", "strptime")
CASTS = ("int", "float", "Decimal")


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _reads_text(arg: ast.AST) -> bool:
    for sub in ast.walk(arg):
        if isinstance(sub, ast.Call):
            name = _dotted(sub.func)
            if name == "str" or name.endswith(".strip"):
                return True
    return False


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if {"migrations", "tests", "testing"} & set(rel.parts) or path.name == "conftest.py":
            continue
        if rel.as_posix() in ALLOWED_MODULES or any(n in rel.as_posix() for n in ALLOWED_NAMES):
            continue
        yield path


def hand_written_parsers(path: Path, text: str | None = None) -> list[str]:
    source = text if text is not None else path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and PARSER_NAME.match(
            node.name
        ):
            if "cleaning." not in ast.unparse(node):
                found.append(f"{path}:{node.lineno} def {node.name}() does not call cleaning")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name.rsplit(".", 1)[-1] in ISO_CALLS:
            found.append(f"{path}:{node.lineno} {name}()")
        elif name in CASTS and node.args and _reads_text(node.args[0]):
            found.append(f"{path}:{node.lineno} {ast.unparse(node)[:60]}")
    return found


def test_no_hand_written_parsers_outside_engine_cleaning():
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        found += [
            hit
            for hit in hand_written_parsers(path)
            if not any(
                f"{path}:" in hit and f" def {fn}()" in hit
                for r, fn in ALLOWED_FUNCTIONS
                if r == rel
            )
        ]
    assert not found, (
        "clean raw input with diaodu.engine.cleaning (forms/schemas: diaodu.cleanfields):\n"
        + "\n".join(found)
    )


def test_every_allowed_module_exists():
    missing = [m for m in ALLOWED_MODULES if not (ROOT / m).exists()]
    assert not missing, f"stale entries in ALLOWED_MODULES: {missing}"


def test_the_scan_catches_each_form():
    code = (
        "from datetime import date, datetime\n"
        "from decimal import Decimal\n"
        "def _decimal(v):\n"
        "    return Decimal(v)\n"
        "def parse_date(v):\n"
        "    return cleaning.date_value(v, 'x')\n"
        "a = date.fromisoformat(s)\n"
        "b = datetime.strptime(s, '%Y')\n"
        "c = int(str(v).strip())\n"
        "d = Decimal(v.strip())\n"
        "ok = int(pk)\n"
    )
    hits = hand_written_parsers(Path("x.py"), code)
    assert [h.split(":")[1].split()[0] for h in hits] == ["3", "7", "8", "9", "10"]


# ---------------------------------------------------------------- forms and API schemas
DJANGO_TYPED = {"forms.DateField", "forms.DecimalField", "forms.IntegerField", "forms.FloatField"}
UNCLEANED_TYPES = {"date", "Decimal", "float", "date | None", "Decimal | None", "float | None"}


def uncleaned_inputs(path: Path, text: str | None = None) -> list[str]:
    """Form fields built on Django's own number/date parsing (not diaodu.cleanfields), and API
    input schemas (``…In``) typed ``date``/``Decimal`` without ``cleaned(…)``."""
    tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _dotted(node.func) in DJANGO_TYPED:
            hidden = any(
                k.arg == "widget" and "HiddenInput" in ast.unparse(k.value) for k in node.keywords
            )
            if not hidden:
                found.append(f"{path}:{node.lineno} {_dotted(node.func)}: use diaodu.cleanfields")
        if isinstance(node, ast.ClassDef) and node.name.endswith("In"):
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and ast.unparse(item.annotation) in UNCLEANED_TYPES
                ):
                    found.append(
                        f"{path}:{item.lineno} {node.name}.{ast.unparse(item.target)}: "
                        "use diaodu.cleanfields.cleaned(...)"
                    )
    return found


def test_forms_and_api_schemas_clean_with_the_engine():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if {"migrations", "tests"} & set(rel.parts):
            continue
        if "forms" in path.stem or "api" in rel.parts or path.stem in ("api", "schemas"):
            found += uncleaned_inputs(path)
    assert not found, "\n".join(found)


def test_the_input_scan_catches_each_form():
    code = (
        "class F(forms.Form):\n"
        "    a = forms.DateField()\n"
        "    b = forms.IntegerField(widget=forms.HiddenInput)\n"
        "    c = AmountField()\n"
        "class XIn(Schema):\n"
        "    on: date | None = None\n"
        "    n: Day = None\n"
    )
    hits = uncleaned_inputs(Path("f.py"), code)
    assert sorted(h.split(":")[1].split()[0] for h in hits) == ["2", "6"]
