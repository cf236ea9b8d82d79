"""The 督查室's long menu folds: a section longer than four entries opens only on its pages."""

import re

import pytest

pytestmark = pytest.mark.django_db


def sections(html: str) -> dict[str, bool]:
    """section title → open, from the sidebar."""
    out = {}
    for title, rest in re.findall(
        r'class="nav-link small menu-toggle[^"]*"[^>]*>([^<]+)<span class="menu-count">\d+</span></a>\s*<ul class="navbar-nav collapse( show)?"',
        html,
    ):
        out[title] = bool(rest)
    return out


def test_long_sections_fold_unless_the_page_is_in_them(client_for):
    c = client_for("duchashi")
    on_problems = sections(c.get("/supervision/problems/").content.decode())
    assert on_problems["督查调度"] is True and on_problems["项目"] is False
    assert on_problems["工作台"] is True  # short sections stay open
    on_ledger = sections(c.get("/projects/").content.decode())
    assert on_ledger["项目"] is True and on_ledger["督查调度"] is False
    # every entry is still in the page, folded or not
    assert 'data-menu="supervision:missing"' in c.get("/projects/").content.decode()
