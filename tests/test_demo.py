"""`tracker demo` walks the mirror's clock and tells the story: new notices, explained changes, states."""

from __future__ import annotations

import io

from conftest import CORPUS, settings_for

from tracker.demo import run_demo


def test_demo_tells_what_changed_and_the_state_of_rare_earth_provisions(tmp_path):
    out = io.StringIO()
    code = run_demo(settings_for(tmp_path / "h", embedder="hash"), CORPUS, "2025-11-08", out)
    text = out.getvalue()
    assert code == 0
    assert "+ mofcom-gacc-2025-18" in text and "+ mofcom-gacc-2025-70" in text
    assert "“2849920000”改为“2849902000”（海关商品编号）" in text  # the corrected customs number, explained
    assert "rare earths: mofcom-gacc-2025-57 whole notice: suspended until 2026-11-10" in text
    assert "rare earths: mofcom-2025-61 1.1: not_yet_effective until 2025-12-01" in text
    assert "mofcom-2026-1 " not in text  # the walk stopped at --until
    # the sample catalogue is screened after each step; the digest of the last step closes the story
    assert "impact: MAG-NDFEB-DY-01 not_affected → licence_likely  [mofcom-gacc-2025-18" in text
    assert "impact: MOTOR-EV-29 not_affected → review" in text
    last = text.index("--- digest for 2025-11-07")  # the last day the mirror changed up to --until
    assert "# Export-control digest · 2025-11-07" in text[last:] and "mofcom-gacc-2025-70" in text[last:]
    assert "documents (notices and official interpretations)" in text
