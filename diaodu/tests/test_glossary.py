"""DESIGN.md's glossary names are the code's names.

GLOSSARY below is DESIGN.md's table ("Glossary (use these identifiers everywhere: code, API,
database)") as data: each row's identifiers, the app that owns them, and what each must be — a
model, a model attribute (field or property), a choice value, or an engine function. The first
test checks every one against the installed code; a row whose app is not written yet (the next
capabilities: investment, tasks, land, enterprises, public, funding) is checked as soon as the app
defines a model. The last test compares GLOSSARY with DESIGN.md itself when the file is at hand
(repo root, or DIAODU_DESIGN_MD), so the copy cannot drift.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps

import diaodu

# (app label, models, {model: attributes}, {(model, field): choice values}, engine functions)
GLOSSARY = [
    ("org", ["Unit"], {"Unit": ["kind"]},
     {("Unit", "kind"): ["district", "zone", "park", "department", "office"]}, []),
    ("projects", ["Project"], {"Project": [
        "national_code", "industry", "stage", "plan_category", "total_investment",
        "annual_plan_investment", "land_area_mu", "lead_official", "secretary", "responsible_unit",
    ]}, {
        ("Project", "stage"): [
            "lead", "negotiating", "signed", "landed", "preparing", "under_construction",
            "completed", "operating", "at_capacity", "suspended", "dropped",
        ],
        ("Project", "plan_category"): ["new_start", "continuing", "completing", "reserve"],
    }, []),
    ("procedures", ["Procedure", "ProjectProcedure"], {}, {}, []),
    ("supervision", ["ProgressReport", "ContactLog", "Problem", "DispatchMeeting", "ActionItem",
                     "Light"], {}, {
        ("Problem", "status"): [
            "raised", "assigned", "in_progress", "resolved", "closed", "returned",
        ],
        ("Light", "color"): ["red", "yellow", "green"],
    }, []),
    ("targets", ["TargetAgreement", "Indicator", "Assessment"], {}, {},
     ["pace.expected_to_date"]),
    ("investment", ["Lead", "ResidentOffice", "Introducer", "Negotiation"],
     {"Lead": ["project"]}, {}, []),
    ("tasks", ["Task", "Milestone", "SourceDocument", "SupervisionNotice"], {}, {}, []),
    ("land", ["Parcel", "LandTarget", "EfficiencyScheme", "EfficiencyResult"], {}, {}, []),
    ("enterprises", ["Enterprise", "Visit", "QuarterlyMeeting", "Demand", "Rating"], {}, {}, []),
    ("public", ["Measure", "PublicReview", "Survey"], {}, {}, []),
    ("funding", ["Channel", "FundingPlan", "Round", "Application", "Arrival", "Disbursement",
                 "Expenditure"], {}, {}, []),
]  # fmt: skip
FUTURE = {"investment", "tasks", "land", "enterprises", "public", "funding"}


def _app_models(label):
    try:
        config = apps.get_app_config(label)
    except LookupError:
        return None
    return {m.__name__: m for m in config.get_models(include_auto_created=False)} | {
        m.__name__: m for m in apps.get_models() if m._meta.app_label == label and m._meta.proxy
    }


def _choice_field(model, name):
    field = model._meta.get_field(name)
    return {value for value, _ in field.flatchoices}


def test_every_glossary_name_is_in_the_code():
    missing = []
    for label, names, attributes, choices, functions in GLOSSARY:
        models = _app_models(label)
        if not models:
            assert label in FUTURE, f"app {label} is not installed"
            continue  # a next capability that is not written yet
        for name in names:
            if name not in models:
                missing.append(f"{label}: model {name}")
        for model_name, attrs in attributes.items():
            model = models.get(model_name)
            for attr in attrs:
                if model is None or not hasattr(model, attr):
                    missing.append(f"{label}: {model_name}.{attr}")
        for (model_name, field), values in choices.items():
            model = models.get(model_name)
            have = _choice_field(model, field) if model is not None else set()
            for value in values:
                if value not in have:
                    missing.append(f"{label}: {model_name}.{field} choice {value!r}")
        for dotted in functions:
            module, _, fn = dotted.rpartition(".")
            if not callable(getattr(importlib.import_module(f"diaodu.engine.{module}"), fn, None)):
                missing.append(f"engine: {dotted}")
    assert not missing, "DESIGN.md's glossary names missing from the code:\n" + "\n".join(missing)


def test_the_glossary_properties_read_the_stored_fields(db):
    from diaodu.org.models import Unit, User
    from diaodu.projects.models import Project
    from diaodu.targets.models import Assessment, ScoreSet

    unit = Unit.objects.create(name="甲园区", kind="park")
    p = Project.objects.create(
        name="水泥项目", unit=unit, industry_code="C3011", industry_text="水泥制造"
    )
    assert p.industry == "C3011 水泥制造"
    assert p.lead_official is None
    leader = User.objects.create(username="lead1", name="王主任")
    p.lead_officials.add(leader)
    assert p.lead_official == leader
    for kind in ScoreSet.Kind.values:
        ScoreSet.objects.create(root=unit, year=2025, kind=kind, as_of="2025-12-31", title=kind)
    assert sorted(Assessment.objects.values_list("kind", flat=True)) == ["final", "historical"]


def _design_md() -> Path | None:
    root = Path(diaodu.__file__).resolve().parent.parent
    for candidate in (os.environ.get("DIAODU_DESIGN_MD"), root / "DESIGN.md"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def test_glossary_copy_matches_design_md():
    path = _design_md()
    if path is None:
        pytest.skip("DESIGN.md is not in this checkout (set DIAODU_DESIGN_MD to check the copy)")
    text = path.read_text(encoding="utf-8")
    section = text.split("## Glossary", 1)[1].split("\n## ", 1)[0]
    in_design = set()
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and "`" in cells[2]:
            in_design |= set(re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", cells[2]))
    ours = {n for row in GLOSSARY for n in row[1]}
    ours |= {a for row in GLOSSARY for attrs in row[2].values() for a in attrs}
    ours |= {"Lead.project", "expected_to_date", "lead_official"}
    ours -= {"kind", "project"}
    assert in_design - ours == set(), "glossary names DESIGN.md has and this test does not"
