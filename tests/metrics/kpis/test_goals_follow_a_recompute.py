"""After a recompute the goals are re-evaluated, but the engine does not know the
goals: it sends ``kpis_recomputed`` and the goals' receiver queues their evaluation."""

import ast
from datetime import date
from pathlib import Path

import metrics.kpis
from metrics.goals.tasks import evaluate_goals
from metrics.kpis import tasks
from tests.metrics.kpis.builders import customers, subscription


def test_a_recompute_queues_the_goals_evaluation(in_acme, monkeypatch):
    queued = []
    monkeypatch.setattr(evaluate_goals, "delay", lambda: queued.append("evaluate_goals"))
    subscription(customers(1)[0], date(2025, 1, 5), amount="12.5")
    assert "values" in tasks.recompute_kpis.run()
    assert queued == ["evaluate_goals"]


def test_the_kpi_package_imports_nothing_of_the_goals():
    for path in Path(metrics.kpis.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(name.startswith("metrics.goals") for name in names), path
