"""POST buttons use diaodu.viewkit.run_action.

The fetch → service → catch ``ValidationError`` → message → redirect block is written once, in
``run_action``; a view that catches a service's ``ValidationError`` only to flash it and redirect
is the old copy. This test reads the views (``views.py``, ``views/``) and names such a block.
Views that catch the error to re-render a form with it (they call ``render``) are not actions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import diaodu

ROOT = Path(diaodu.__file__).resolve().parent

ALLOWED = {
    ("procedures/views.py", "item_upload"): "one message per file of a multi-file upload",
    ("supervision/views/common.py", "_resolve"): "a GET page's unit/period fallback, no action",
    ("tasks/views/document_pages.py", "learn_alias"): "one message per row of a multi-row form",
}


def _view_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        if path.name == "views.py" or "views" in rel.parts[:-1]:
            yield path


def flash_and_redirect_blocks(path: Path, text: str | None = None) -> list[str]:
    tree = ast.parse(text if text is not None else path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        renders = "render(" in ast.unparse(fn)
        for node in ast.walk(fn):
            if not isinstance(node, ast.Try):
                continue
            for handler in node.handlers:
                caught = ast.unparse(handler.type) if handler.type else ""
                body = ast.unparse(handler)
                if "ValidationError" in caught and "messages.error" in body and not renders:
                    found.append((fn.name, f"{path}:{node.lineno} {fn.name}()"))
    return found


def test_post_actions_use_run_action():
    found = []
    for path in _view_modules():
        rel = path.relative_to(ROOT).as_posix()
        found += [
            hit for name, hit in flash_and_redirect_blocks(path) if (rel, name) not in ALLOWED
        ]
    assert not found, "use diaodu.viewkit.run_action for these POST actions:\n" + "\n".join(found)


def test_the_scan_catches_the_old_block():
    code = (
        "def approve(request, pk):\n"
        "    try:\n"
        "        services.approve(request.user, pk)\n"
        "    except ValidationError as exc:\n"
        "        messages.error(request, '；'.join(exc.messages))\n"
        "    return redirect('x')\n"
        "def form(request):\n"
        "    try:\n"
        "        services.save(request.user)\n"
        "    except ValidationError as exc:\n"
        "        messages.error(request, 'x')\n"
        "    return render(request, 't.html')\n"
    )
    assert [n for n, _ in flash_and_redirect_blocks(Path("v.py"), code)] == ["approve"]
