"""English is complete: the `en` catalogue has every message translated (none empty, none
fuzzy, none a copy of the Chinese), the compiled catalogue is the one of the sources, no template
shows Chinese text outside a translation tag, and every page walked in English has no Chinese in
its headings, buttons, table heads and labels outside data (names the users entered)."""

from __future__ import annotations

import gettext as pygettext
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client

from diaodu.org.models import User
from diaodu.web.tests.walk import ROLES, crawl

HAN = re.compile(r"[\u4e00-\u9fff]")
PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ROOT = Path(settings.BASE_DIR) / "diaodu"


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (by index) and flags."""
    import ast

    entries, cur, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur = None
            continue
        if cur is None:
            cur = {"msgid": "", "plural": None, "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            cur["flags"] = line
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) (".*")$', line)
        if m:
            key, value = m.group(1), ast.literal_eval(m.group(3))
            if key.startswith("msgstr"):
                field = ("msgstr", int(m.group(2) or 0))
                cur["msgstr"][field[1]] = value
            else:
                field = ({"msgid_plural": "plural"}.get(key, key),)
                cur[field[0]] = value
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                cur["msgstr"][field[1]] += value
            else:
                cur[field[0]] = (cur.get(field[0]) or "") + value
    return [e for e in entries if e["msgid"]]


def test_the_english_catalogue_is_complete():
    entries = po_entries(PO)
    assert len(entries) > 1000
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    copies = [e["msgid"] for e in entries if e["msgstr"].get(0) == e["msgid"]]
    assert not fuzzy, f"模糊（fuzzy）条目 {len(fuzzy)} 个：{fuzzy[:5]}"
    assert not empty, f"未翻译条目 {len(empty)} 个：{empty[:5]}"
    assert not copies, f"译文与原文相同 {len(copies)} 个：{copies[:5]}"


def test_the_compiled_catalogue_is_the_sources():
    """django.mo is compiled from the django.po in the repository (compilemessages after every
    makemessages): each message translates as the .po says."""
    with MO.open("rb") as f:
        mo = pygettext.GNUTranslations(f)
    stale = []
    for e in po_entries(PO):
        if e["plural"] is None:
            got = mo.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(e["msgid"])
        elif mo.ngettext(e["msgid"], e["plural"], 2) != e["msgstr"][1]:
            stale.append(e["msgid"])
    assert not stale, f"django.mo 与 django.po 不一致，请运行 compilemessages：{stale[:5]}"


# ---------------------------------------------------------------- templates
TOKEN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
SKIPPED_BLOCKS = re.compile(
    r"\{%\s*(blocktranslate|blocktrans|comment)\b.*?\{%\s*end\1\s*%\}"
    r"|<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->",
    re.S,
)
# The language switch names Chinese in Chinese (as every language switch does).
ALLOWED = ('lang="zh-Hans" data-testid="lang">中文<', 'data-testid="lang" lang="zh-Hans">中文<')


def bare_chinese(src: str) -> list[str]:
    for a in ALLOWED:
        src = src.replace(a, "")
    src = SKIPPED_BLOCKS.sub(" ", src)
    src = TOKEN.sub(" ", src)
    return [line.strip()[:60] for line in src.splitlines() if HAN.search(line)]


def test_no_template_shows_chinese_outside_a_translation_tag():
    bad = {}
    for path in ROOT.glob("**/templates/**/*.html"):
        found = bare_chinese(path.read_text(encoding="utf-8"))
        if found:
            bad[str(path.relative_to(ROOT))] = found[:2]
    assert not bad, f"模板中有未翻译的中文：{bad}"
    assert bare_chinese("<p>{% translate '项目' %}</p><b>项目</b>") == ["<p> </p><b>项目</b>"]


# ---------------------------------------------------------------- pages in English
CHROME = {"h1", "h2", "h3", "h4", "th", "label", "button", "legend", "title"}


class Chrome(HTMLParser):
    """The text of headings, table heads, labels and buttons, and of placeholders."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []
        self.skip = 0
        self.lang = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        if tag in CHROME:
            self.depth += 1
            self.texts.append("")
        if a.get("placeholder"):
            self.texts.append(a["placeholder"])
        if a.get("data-testid") == "lang":
            self.lang = True

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "button":
            self.lang = False
        if tag in CHROME and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and not self.lang and self.texts:
            self.texts[-1] += data


def data_strings() -> list[str]:
    """Every text the database holds (names, titles, notes …): data, not interface."""
    out: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("diaodu."):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        for f in fields:
            for v in model.objects.values_list(f, flat=True).distinct()[:5000]:
                if v and HAN.search(v):
                    out.add(v)
                    out.update(p for p in re.split(r"[\s,，、;；/|·（）()]+", v) if HAN.search(p))
    return sorted(out, key=len, reverse=True)


def chinese_chrome(html: str, data: list[str]) -> list[str]:
    p = Chrome()
    p.feed(html)
    bad = []
    for text in p.texts:
        if not HAN.search(text):
            continue
        rest = text
        for d in data:
            if d in rest:
                rest = rest.replace(d, " ")
                if not HAN.search(rest):
                    break
        if HAN.search(rest):
            bad.append(" ".join(text.split())[:50])
    return bad


@pytest.fixture
def full_demo(db):
    call_command("demo", stdout=StringIO(), skip_checks=True)


def test_every_page_in_english_has_no_chinese_chrome(full_demo):
    data = data_strings()
    failures = {}
    seen = 0
    for username in ROLES:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(User.objects.get(username=username))
        for url, response in crawl(client):
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            assert 'lang="en"' in html or "<html" not in html, url
            seen += 1
            bad = chinese_chrome(html, data)
            if bad:
                failures[f"{username} {url}"] = bad[:3]
    assert seen > 50
    assert not failures, f"{len(failures)} 个页面的英文界面仍有中文：" + "\n".join(
        f"{k}: {v}" for k, v in list(failures.items())[:40]
    )
