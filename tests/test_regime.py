"""The state of every provision on a date, computed from ingested documents (notices.md A.7)."""

from __future__ import annotations

import json

import pytest
from conftest import walk
from mirror_edit import edit_notice, set_field

from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.understand import understand_all

DATES = ["2025-06-01", "2025-10-20", "2025-11-20", "2025-12-15", "2026-03-01"]
# notices.md A.7: provision -> status on each date (None: not yet published)
MATRIX = {
    ("mofcom-gacc-2025-18", "*"): ["in_force"] * 5,
    ("mofcom-gacc-2025-57", "*"): [None, "not_yet_effective", "suspended", "suspended", "suspended"],
    ("mofcom-2025-61", "1.1"): [None, "not_yet_effective", "suspended", "suspended", "suspended"],
    ("mofcom-2025-61", "1.2"): [None, "not_yet_effective", "suspended", "suspended", "suspended"],
    ("mofcom-2025-61", "1.3"): [None, "in_force", "suspended", "suspended", "suspended"],
    ("mofcom-2025-62", "*"): [None, "in_force", "suspended", "suspended", "suspended"],
    ("mofcom-2024-46", "1"): ["in_force"] * 5,
    ("mofcom-2024-46", "2"): ["in_force", "in_force", "suspended", "suspended", "suspended"],
    ("mofcom-2026-1", "*"): [None, None, None, None, "in_force"],
}


def states(home, day):
    with Store(home) as store:
        regime = Regime(understand_all(store))
    return {(s.notice, s.provision): s for s in regime.snapshot(day)}, regime


@pytest.mark.parametrize("day", DATES)
def test_status_matrix_of_notices_md(walked_home, day):
    found, _ = states(walked_home, day)
    for key, expected in MATRIX.items():
        got = found.get(key)
        want = expected[DATES.index(day)]
        assert (got.status if got else None) == want, f"{key} on {day}: {got}"


def test_suspended_before_taking_effect_says_so_and_cites_both_notices(walked_home):
    found, _ = states(walked_home, "2025-11-20")
    s57 = found[("mofcom-gacc-2025-57", "*")]
    assert s57.since == "2025-11-07" and s57.until == "2026-11-10"
    assert "before it took effect" in s57.note and "2025-11-08" in s57.note
    assert {d["notice"] for d in s57.determined_by} == {"mofcom-gacc-2025-57", "mofcom-gacc-2025-70"}
    s46 = found[("mofcom-2024-46", "2")]
    assert s46.until == "2026-11-27" and any(d["notice"] == "mofcom-2025-72" for d in s46.determined_by)
    whole46 = found[("mofcom-2024-46", "*")]
    assert whole46.status == "in_force" and "2 suspended" in whole46.note


def test_boundary_day_is_flagged_ambiguous_never_guessed(walked_home):
    found, _ = states(walked_home, "2026-11-10")
    s = found[("mofcom-2025-61", "1.3")]
    assert s.status == "suspended" and s.ambiguous and "last day" in s.note
    after, _ = states(walked_home, "2026-11-11")
    assert after[("mofcom-2025-61", "1.3")].status == "in_force" and not after[("mofcom-2025-61", "1.3")].ambiguous
    assert after[("mofcom-gacc-2025-70", "*")].status == "expired"
    before, _ = states(walked_home, "2026-11-09")
    assert not before[("mofcom-2025-61", "1.3")].ambiguous


def test_documents_issued_after_the_date_are_ignored(walked_home):
    found, _ = states(walked_home, "2025-11-06")
    assert found[("mofcom-2025-62", "*")].status == "in_force"
    assert ("mofcom-gacc-2025-70", "*") not in found


def test_state_follows_a_date_changed_in_a_copy_of_the_mirror(mirror_copy, tmp_path):
    """Move the suspension's end and No. 61's start date in the documents: the state follows the text."""
    edit_notice(mirror_copy, "自即日起至2026年11月10日", "自即日起至2026年5月10日")  # No. 70
    edit_notice(mirror_copy, "自2025年12月1日起实施", "自2025年10月20日起实施")  # No. 61, on both hosts
    home = tmp_path / "h"
    walk(mirror_copy, home, until="2026-06-15")
    found, _ = states(home, "2025-10-21")
    assert found[("mofcom-2025-61", "1.1")].status == "in_force"  # was not_yet_effective with the real date
    found, _ = states(home, "2026-05-10")
    assert found[("mofcom-gacc-2025-57", "*")].status == "suspended" and found[("mofcom-gacc-2025-57", "*")].ambiguous
    found, _ = states(home, "2026-06-01")
    assert found[("mofcom-gacc-2025-57", "*")].status == "in_force"  # the edited suspension has ended
    assert found[("mofcom-2025-61", "1.3")].since == "2026-05-11"


def test_relation_to_a_missing_notice_is_unresolved_then_resolves(mirror_copy, tmp_path, capsys):
    from tracker.cli import main

    n55 = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_949f47563b834dad95b0010f375a892c.html"
    set_field(mirror_copy, n55, "published", "2026-01-02")  # No. 55 reaches the mirror late
    home = tmp_path / "h"
    walk(mirror_copy, home, until="2025-12-31")
    assert main(["--home", str(home), "status", "--as-of", "2025-12-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(u["target"] == "mofcom-gacc-2025-55" and u["kind"] == "suspends" for u in data["unresolved"])
    walk(mirror_copy, home, until="2026-01-02")
    assert main(["--home", str(home), "status", "--as-of", "2026-01-02", "--notice", "mofcom-gacc-2025-55",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not any(u["target"] == "mofcom-gacc-2025-55" for u in data["unresolved"])
    assert [p["status"] for p in data["provisions"]] == ["suspended"]


def test_status_cli_json_shape_and_element_filter(walked_home, capsys):
    from tracker.cli import main

    assert main(["--home", str(walked_home), "status", "--as-of", "2025-12-15", "--element", "镝", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2025-12-15"
    notices = {p["notice"] for p in data["provisions"]}
    assert {"mofcom-gacc-2025-18", "mofcom-2025-61"} <= notices and "mofcom-gacc-2025-57" not in notices
    for p in data["provisions"]:
        assert set(p) >= {"notice", "provision", "summary", "status", "since", "until", "ambiguous", "determined_by"}
    assert main(["--home", str(walked_home), "status", "--as-of", "2025-13-01"]) == 1
    assert "not a date" in capsys.readouterr().err
    assert main(["--home", str(walked_home), "status", "--element", "unobtainium"]) == 1
