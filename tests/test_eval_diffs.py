"""The diff engine against the hand-made change sets (evals/diffs/cases), with the real embedding model."""

from __future__ import annotations

import pytest

from evals.diffs.score import evaluate, load_cases


def test_cases_are_well_formed():
    cases = load_cases()
    assert len(cases) >= 10
    kinds = {c["kind"] for c in cases}
    assert kinds == {"version", "synthetic", "compare"}
    for case in cases:
        assert case["expected"], case["file"]
        assert all(e["type"] in {"added", "removed", "modified", "moved", "renumbered"} for e in case["expected"])


@pytest.mark.slow
def test_engine_meets_the_f1_target_and_beats_a_line_diff(walked_home):
    result = evaluate("minilm", home=walked_home)
    engine, line = result["micro"]["engine"], result["micro"]["difflib"]
    assert engine["f1"] >= 0.95, result["per_case"]
    assert engine["f1"] > line["f1"] + 0.2
    assert result["rank_accuracy"] == 1.0
