"""Impact screening: verdicts from the ingested documents, per date, against the gold of evals/impact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import walk
from mirror_edit import edit_notice

from tracker.impact import load_catalogue, screen, screener_for, verdict_changes
from tracker.store.repository import Store

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "examples" / "catalogue.csv"


def verdicts(home: Path, day: str, catalogue: Path = CATALOGUE) -> dict[str, dict]:
    products, errors = load_catalogue(catalogue)
    assert not errors
    with Store(home) as store:
        return {p["sku"]: p for p in screen(store, products, day)["products"]}


def test_gold_verdicts_and_cited_notices(walked_home):
    from evals.impact.score import score

    with Store(walked_home) as store:
        result = score(store)
    assert result["cases"] >= 300
    assert result["verdict_and_notices_correct"] >= 0.95, result["misses"][:10]


def test_every_reason_cites_notice_clause_and_url(walked_home):
    found = verdicts(walked_home, "2026-03-01")
    for p in found.values():
        for r in p["reasons"]:
            assert r["notice"] and r["label"] and r["url"].startswith("https://"), r
            assert r["status"] in ("in_force", "suspended", "not_yet_effective", "repealed", "ambiguous",
                                   "expired", "interpretation")
    assert found["MAG-NDFEB-DY-01"]["verdict"] == "licence_likely"


def test_suspended_and_pending_provisions_are_reported_with_dates_not_applied(walked_home):
    before = verdicts(walked_home, "2025-10-20")["MAG-NDFEB-DY-03"]  # made in VN, 2.5 % Chinese Dy
    assert before["verdict"] == "not_affected"
    pending = next(r for r in before["reasons"] if r["rule"] == "de_minimis")
    assert pending["status"] == "not_yet_effective" and "applies from 2025-12-01" in pending["explanation"]
    during = verdicts(walked_home, "2025-12-15")["MAG-NDFEB-DY-03"]
    assert during["verdict"] == "not_affected"
    suspended = next(r for r in during["reasons"] if r["rule"] == "de_minimis")
    assert suspended["status"] == "suspended" and "until 2026-11-10" in suspended["explanation"]
    assert during["next_change"]["date"] in ("2026-11-10", "2026-11-11") and during["next_change"]["projected"]


def test_after_the_suspension_ends_the_de_minimis_rule_follows_the_threshold(walked_home):
    after = verdicts(walked_home, "2026-11-20")
    assert after["MAG-NDFEB-DY-03"]["verdict"] == "licence_likely"  # 2.5 % >= 0.1 %
    assert after["MAG-NDFEB-DY-04"]["verdict"] == "not_affected"  # 0.05 % < 0.1 %
    below = next(r for r in after["MAG-NDFEB-DY-04"]["reasons"] if r["rule"] == "de_minimis")
    assert "below the 0.1 % threshold" in below["explanation"]
    assert after["MAG-NDFEB-DY-05"]["verdict"] == "insufficient_data"  # share of the Chinese Dy unknown
    assert any("share" in m for m in after["MAG-NDFEB-DY-05"]["missing"])
    boundary = verdicts(walked_home, "2026-11-10")["MAG-NDFEB-DY-03"]
    assert boundary["verdict"] == "review"  # the text leaves the last day of the suspension open
    with Store(walked_home) as store:
        products, _ = load_catalogue(CATALOGUE)
        assert screen(store, products[:1], "2026-11-20")["projection"] is True


def test_verdicts_follow_an_edited_threshold_and_suspension_date(mirror_copy, tmp_path):
    """Change No. 61's threshold and No. 70's end date in a copy of the mirror: the verdicts follow the text."""
    assert edit_notice(mirror_copy, "0.1%", "0.01%")
    assert edit_notice(mirror_copy, "自即日起至2026年11月10日", "自即日起至2025年11月20日")
    home = tmp_path / "h"
    walk(mirror_copy, home, until="2025-12-31")
    found = verdicts(home, "2025-12-15")
    assert found["MAG-NDFEB-DY-03"]["verdict"] == "licence_likely"
    assert found["MAG-NDFEB-DY-04"]["verdict"] == "licence_likely"  # 0.05 % is now above the 0.01 % threshold
    rule = next(r for r in found["MAG-NDFEB-DY-04"]["reasons"] if r["rule"] == "de_minimis")
    assert rule["notice"] == "mofcom-2025-61" and rule["label"] == "1.1" and "0.01 %" in rule["explanation"]
    assert verdicts(home, "2025-11-25")["MAG-NDFEB-DY-03"]["verdict"] == "not_affected"  # before 12-01


def test_destination_end_user_and_interpretation_reasons(walked_home):
    found = verdicts(walked_home, "2026-03-01")
    terfenol = found["TERFENOL-27"]
    assert any(r["notice"] == "mofcom-2026-1" and r["applies"] and r["rule"] == "destination"
               for r in terfenol["reasons"])
    khi = found["SMCO-KHI-28"]
    assert any(r["rule"] == "end_user" and r["notice"] == "mofcom-2026-11" and r["applies"] for r in khi["reasons"])
    motor = found["MOTOR-EV-29"]
    assert motor["verdict"] == "review"
    cited = [r for r in motor["reasons"] if r["official_interpretation"]]
    assert cited and "official interpretation (not the legal text)" in cited[0]["explanation"]
    early = verdicts(walked_home, "2025-11-09")
    graphite = early["GR-FLAKE-17"]
    assert not any(r["notice"] == "mofcom-2024-46" and r["applies"] and r["label"] == "2"
                   for r in graphite["reasons"])  # No. 46 para. 2 suspended from 2025-11-09


def test_verdict_changes_between_two_dates(walked_home):
    products, _ = load_catalogue(CATALOGUE)
    with Store(walked_home) as store:
        moves = verdict_changes(store, products, "2025-04-01", "2025-04-30")
        later = verdict_changes(store, products, "2026-11-01", "2026-11-30")
    assert any(c["sku"] == "MAG-NDFEB-DY-01" and c["date"] == "2025-04-04" and c["to"] == "licence_likely"
               for c in moves["changes"])
    dy03 = [c for c in later["changes"] if c["sku"] == "MAG-NDFEB-DY-03"]
    assert [c["to"] for c in dy03] == ["review", "licence_likely"] and later["projection"]


def test_bad_rows_are_named_and_the_others_screened(walked_home):
    bad = ROOT / "evals" / "impact" / "bad-catalogue.csv"
    expected = json.loads((ROOT / "evals" / "impact" / "bad-expected.json").read_text("utf-8"))
    products, errors = load_catalogue(bad)
    rows = expected["errors"]
    assert {(e.row, e.field) for e in errors} == {(r["row"], r["field"]) for r in rows}
    assert len(products) == 3
    for e in errors:
        assert f"row {e.row}" in e.message and e.field in e.message


def test_yaml_and_json_catalogues_read_like_csv(tmp_path):
    yaml_products, errors = load_catalogue(ROOT / "examples" / "catalogue.yaml")
    assert not errors and len(yaml_products) >= 3
    csv_products = {p.sku: p for p in load_catalogue(CATALOGUE)[0]}
    for p in yaml_products:
        assert p.materials == csv_products[p.sku].materials and p.hs_code == csv_products[p.sku].hs_code
    as_json = tmp_path / "c.json"
    as_json.write_text(json.dumps([{"sku": "X1", "name": "Dy metal", "hs_code": "2805.30.19",
                                    "materials": [{"material": "Dy", "share": "99", "origin": "China"}],
                                    "made_in": "China"}]), "utf-8")
    (product,), errors = load_catalogue(as_json)
    assert not errors and product.made_in == "CN" and product.hs_code == "28053019"
    assert product.materials[0].share == 99.0 and product.materials[0].origin == "CN"


@pytest.mark.parametrize("line, field", [
    ("A,Magnet,,85A5,,CN,,,,", "hs_code"),
    ("A,Magnet,,8505,Dy:1.5x%:CN,CN,,,,", "materials"),
    ("A,Magnet,,8505,Dy:60%:CN;Nd:60%:CN,CN,,,,", "materials"),
    ("A,Magnet,,8505,Dy:1%:Atlantis,CN,,,,", "materials"),
    ("A,Magnet,,8505,,XX,,,,", "made_in"),
    ("A,Magnet,,8505,,CN,perhaps,,,", "uses_chinese_technology"),
    (",Magnet,,8505,,CN,,,,", "sku"),
])
def test_unreadable_values_are_rejected_not_guessed(tmp_path, line, field):
    path = tmp_path / "c.csv"
    path.write_text("sku,name,description,hs_code,materials,made_in,uses_chinese_technology,destination,end_use,"
                    "end_user\n" + line + "\nB,Heat sink,,7616,,MX,,,,\n", "utf-8")
    products, errors = load_catalogue(path)
    assert [p.sku for p in products] == ["B"]
    assert len(errors) == 1 and errors[0].field == field and errors[0].row == 1


def test_cli_impact_json_and_errors(walked_home, tmp_path, capsys):
    from tracker.cli import main

    assert main(["--home", str(walked_home), "impact", str(CATALOGUE), "--as-of", "2025-12-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2025-12-15" and "not legal advice" in data["disclaimer"]
    assert sum(data["counts"].values()) == len(data["products"])
    assert main(["--home", str(walked_home), "impact", str(CATALOGUE), "--since", "2025-04-01", "--until",
                 "2025-04-30"]) == 0
    assert "MAG-NDFEB-DY-01" in capsys.readouterr().out
    assert main(["--home", str(walked_home), "impact", str(tmp_path / "none.csv")]) == 1
    assert "no such catalogue" in capsys.readouterr().err
    bad = ROOT / "evals" / "impact" / "bad-catalogue.csv"
    assert main(["--home", str(walked_home), "impact", str(bad), "--as-of", "2025-12-15", "--json"]) == 1
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["errors"]) == 5 and "row 2" in captured.err


def test_semantic_candidates_only_where_nothing_else_matches(indexed_home, tmp_path):
    """Descriptions that name no element, code or customs number: candidates from the search index (real
    model), marked low confidence; unrelated goods get none."""
    from tracker.embeddings import get_embedder

    path = tmp_path / "c.csv"
    path.write_text(
        "sku,name,description,hs_code,materials,made_in,uses_chinese_technology,destination,end_use,end_user\n"
        "S1,Heat sink,Aluminium extruded heat sink for LED drivers,,,CN,,DE,civil,\n"
        "S2,Circuit board,6-layer FR4 printed circuit board,,,CN,,DE,civil,\n"
        "S3,Magnet blocks,High-coercivity rare earth permanent magnet blocks for wind turbine generators,,,CN,,DE,"
        "civil,\n", "utf-8")
    products, _ = load_catalogue(path)
    with Store(indexed_home) as store:
        embedder = get_embedder("minilm")
        result = screen(store, products, "2026-03-01", screener=screener_for(store, embedder))
        plain = screen(store, products, "2026-03-01", screener=screener_for(store))
    assert result["semantic"] == "on" and plain["semantic"] == "off"
    by = {p["sku"]: p for p in result["products"]}
    assert by["S1"]["verdict"] == "not_affected" and not by["S1"]["reasons"]
    assert by["S2"]["verdict"] == "not_affected"
    semantic = [r for r in by["S3"]["reasons"] if r["rule"] == "semantic"]
    assert semantic and semantic[0]["confidence"] == "low" and "semantic candidate" in semantic[0]["explanation"]
    # a candidate decides only through the state of its provision on the date
    assert by["S3"]["verdict"] == ("review" if semantic[0]["status"] == "in_force" else "not_affected")
    assert all(p["verdict"] == "not_affected" for p in plain["products"])  # without the index: no guess
