"""The offline task extractor (issue 14): a speech's text and date → draft rows of a 任务分解表.

Pure Python (zhconv for 繁體 → 简体, the work calendar for 工作日); nothing is downloaded, no
Django.  ``extract(text, date, gazetteer)`` returns :class:`DraftRow` objects;
``row.as_dict(text)`` gives the JSON form (``task``, ``measures``, ``lead_units``,
``support_units``, ``leader``, ``deadline``, ``recurrence``, ``quantities``, ``source_span`` …).
"""

from diaodu.engine.taskextract.extractor import DraftRow, extract
from diaodu.engine.taskextract.normalize import for_matching
from diaodu.engine.taskextract.quantities import Quantity, find_quantities
from diaodu.engine.taskextract.timeexpr import TimeMention, find_times, resolve
from diaodu.engine.taskextract.units import Gazetteer, UnitMention, unit_like_names

__all__ = [
    "DraftRow",
    "Gazetteer",
    "Quantity",
    "TimeMention",
    "UnitMention",
    "extract",
    "find_quantities",
    "find_times",
    "for_matching",
    "resolve",
    "unit_like_names",
]
