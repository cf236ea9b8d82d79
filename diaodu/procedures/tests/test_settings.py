"""DIAODU_AT_RISK_SLACK_WD: parsed strictly at start-up, and it sets the yellow threshold."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from diaodu.procedures import queries, services

ROOT = Path(__file__).resolve().parents[3]


def test_bad_threshold_stops_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DIAODU_VAR_DIR": str(tmp_path), "DIAODU_AT_RISK_SLACK_WD": "五天"})
    result = subprocess.run(
        [sys.executable, "-m", "diaodu.manage", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DIAODU_AT_RISK_SLACK_WD" in result.stderr and "配置错误" in result.stderr


def test_threshold_sets_at_risk(make_chain, settings):
    # feasible: 开工 possible 2026-12-30, 1–3 working days of slack on the critical path
    chain = make_chain(start=date(2027, 1, 4))
    before = queries.procedure_warnings([chain.project_id])[chain.project_id]
    assert before["at_risk"] and not before["overdue"]
    settings.AT_RISK_SLACK_WD = 0
    services.recompute_chain(chain)
    assert queries.procedure_warnings([chain.project_id])[chain.project_id] == {
        "overdue": [],
        "at_risk": [],
    }
