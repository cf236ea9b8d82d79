"""The extractor on the two reference speeches (and a third speech written for the tests)
against the hand-made 任务分解表 in data/expected_tasks.json: ≥ 90 % of the rows found, and the
found rows' units and deadlines right — in 简体 and in 繁體."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
import zhconv

from diaodu.engine.taskextract import extract, for_matching

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected_tasks.json").read_text(encoding="utf-8"))


def _key(s: str) -> str:
    return re.sub(r"[\W_]", "", for_matching(s))


def _match(doc: dict, text: str) -> tuple[list, list]:
    rows = [r.as_dict(text) for r in extract(text, date.fromisoformat(doc["date"]))]
    found, missing = [], []
    for want in doc["rows"]:
        hits = [r for r in rows if _key(want["anchor"]) in _key(r["task"])]
        (found if hits else missing).append((want, hits[0] if hits else None))
    return found, missing


def _recall(text_of) -> tuple[float, list, list]:
    found_all, missing_all = [], []
    for doc in EXPECTED["documents"]:
        found, missing = _match(doc, text_of(doc))
        found_all += found
        missing_all += missing
    return len(found_all) / (len(found_all) + len(missing_all)), found_all, missing_all


def _plain(doc):
    return (DATA / doc["file"]).read_text(encoding="utf-8")


def _traditional(doc):
    return zhconv.convert(_plain(doc), "zh-tw")


def test_the_expected_table_has_at_least_fifteen_rows_from_the_reference_speeches():
    reference = [d for d in EXPECTED["documents"] if not d["file"].startswith("unseen")]
    assert len(reference) == 2
    assert sum(len(d["rows"]) for d in reference) >= 15


@pytest.mark.parametrize("text_of", [_plain, _traditional], ids=["简体", "繁體"])
def test_recall_on_each_reference_speech_alone(text_of):
    for doc in EXPECTED["documents"][:2]:
        found, missing = _match(doc, text_of(doc))
        assert len(found) / len(doc["rows"]) >= 0.9, [w["anchor"] for w, _ in missing]


@pytest.mark.parametrize("text_of", [_plain, _traditional], ids=["简体", "繁體"])
def test_recall_of_the_hand_made_table_is_at_least_90_percent(text_of):
    recall, found, missing = _recall(text_of)
    assert recall >= 0.9, [w["anchor"] for w, _ in missing]


@pytest.mark.parametrize("text_of", [_plain, _traditional], ids=["简体", "繁體"])
def test_found_rows_have_the_right_units_deadlines_and_targets(text_of):
    _, found, _ = _recall(text_of)
    wrong = []
    for want, got in found:
        if sorted(got["lead_units"]) != sorted(want["lead_units"]):
            wrong.append((want["anchor"], "lead_units", got["lead_units"]))
        if "support_units" in want and sorted(got["support_units"]) != sorted(
            want["support_units"]
        ):
            wrong.append((want["anchor"], "support_units", got["support_units"]))
        if got["deadline"] != want["deadline"]:
            wrong.append((want["anchor"], "deadline", got["deadline"]))
        if "recurrence" in want and got["recurrence"] != want["recurrence"]:
            wrong.append((want["anchor"], "recurrence", got["recurrence"]))
        # A quantity may carry what it counts ("26个" → "26个计划新开工项目").
        got_q = [for_matching(q) for q in got["quantities"]]
        if "quantities" in want and (
            len(got_q) != len(want["quantities"])
            or any(not g.startswith(w) for g, w in zip(got_q, want["quantities"]))
        ):
            wrong.append((want["anchor"], "quantities", got["quantities"]))
    assert not wrong


@pytest.mark.parametrize("text_of", [_plain, _traditional], ids=["简体", "繁體"])
def test_every_span_points_into_the_original_text(text_of):
    for doc in EXPECTED["documents"]:
        text = text_of(doc)
        for row in extract(text, date.fromisoformat(doc["date"])):
            d = row.as_dict(text)
            start, end = d["source_span"]
            assert 0 <= start < end <= len(text)
            assert d["source_text"] == text[start:end]
            # The task is a piece of its source, as written (繁體 stays 繁體).
            assert d["task"] in text[start:end]


def test_traditional_input_keeps_its_characters_in_the_rows():
    doc = EXPECTED["documents"][1]
    text = _traditional(doc)
    rows = [r.as_dict(text) for r in extract(text, date.fromisoformat(doc["date"]))]
    land = next(r for r in rows if "土地徵收" in r["task"])
    assert land["lead_units"] == ["征收办"]  # unknown names come back Simplified for mapping
    assert "徵收辦" in land["measures"]
    assert land["deadline"] == "2021-12-31"


def test_the_table_of_contents_does_not_double_the_rows():
    doc = EXPECTED["documents"][1]
    text = _plain(doc)
    tasks = [r.task for r in extract(text, date.fromisoformat(doc["date"]))]
    assert tasks.count("优化项目服务") == 1
    serve = next(r for r in extract(text, date(2021, 3, 15)) if r.task == "优化项目服务")
    assert "包保领导" in serve.measures  # the body, not the empty line of the contents


@pytest.mark.parametrize("text_of", [_plain, _traditional], ids=["简体", "繁體"])
def test_a_rows_parent_is_an_outline_item_that_holds_it(text_of):
    for doc in EXPECTED["documents"]:
        text = text_of(doc)
        rows = extract(text, date.fromisoformat(doc["date"]))
        for row in rows:
            if row.parent is None:
                continue
            parent = rows[row.parent]
            assert parent.level < row.level
            assert parent.span[0] <= row.span[0]
