"""Version diffs and notice comparison: aligned by label, then by meaning; typed, ranked and explained."""

from __future__ import annotations

import json

import pytest

from tracker.diff.engine import compare, diff_versions
from tracker.embeddings import get_embedder
from tracker.store.repository import Store
from tracker.structure.labels import build_clauses
from tracker.types import Block
from tracker.understand import understand


def structure_of(notice: str, lines: list[tuple[str, str]]):
    from tracker.understand import NoticeStructure

    clauses, _ = build_clauses(notice, tuple(Block(t, m) for m, t in lines), "https://example.test/x")
    return NoticeStructure(notice, "notice", "zh", 1, "", "", "", "2025-01-01", "u", tuple(clauses), (), (), (), ())


def version(st, n):
    return st.__class__(**{**st.__dict__, "version": n})


def test_corrected_customs_number_is_one_substantive_change_with_citation(walked_home):
    with Store(walked_home) as store:
        cs = diff_versions(understand(store, "mofcom-gacc-2025-10", "zh", 1),
                           understand(store, "mofcom-gacc-2025-10", "zh", 2), get_embedder("hash"))
    rows = [c for c in cs.changes if c.label.startswith("annex1.")]
    assert len(rows) == 1
    (row,) = rows
    assert row.type == "modified" and row.rank == "substantive" and "customs number" in row.reasons
    assert "2849920000" in row.explanation_en and "2849902000" in row.explanation_en
    assert "海关商品编号" in row.explanation_zh and "改为" in row.explanation_zh
    assert row.citation["url"].endswith(".pdf") and row.citation["notice"] == "mofcom-gacc-2025-10"
    annex = next(c for c in cs.changes if c.label == "annex1")
    assert "replaced by a new file" in annex.explanation_en


def test_dropped_entity_and_english_typo(walked_home):
    with Store(walked_home) as store:
        cs = diff_versions(understand(store, "mofcom-2026-12", "zh", 1), understand(store, "mofcom-2026-12", "zh", 2),
                           None)
        en = diff_versions(understand(store, "mofcom-gacc-2025-70", "en", 1),
                           understand(store, "mofcom-gacc-2025-70", "en", 2), None)
    removed = [c for c in cs.changes if c.type == "removed"]
    assert len(removed) == 1 and "青岚电磁技术株式会社" in removed[0].old_text
    assert {c.label for c in en.changes} >= {"title"}
    assert all("Measures" in c.new_text for c in en.changes)


def test_renumbering_and_insertion_are_told_apart():
    old = structure_of("t", [("一、", "出口经营者应当办理出口许可手续。"), ("二、", "海关对出口货物进行查验。"),
                             ("（一）", "查验时提供相关材料。"), ("三、", "本公告自公布之日起正式实施。")])
    new = structure_of("t", [("一、", "出口经营者应当办理出口许可手续。"), ("二、", "出口经营者应当在报关单备注栏注明物项编码。"),
                             ("三、", "海关对出口货物进行查验。"), ("（一）", "查验时提供相关材料。"),
                             ("四、", "本公告自公布之日起正式实施。")])
    cs = diff_versions(old, version(new, 2), None)
    got = {(c.label, c.type, c.old_label) for c in cs.changes}
    assert got == {("2", "added", None), ("3", "renumbered", "2"), ("3.1", "renumbered", "2.1"),
                   ("4", "renumbered", "3")}
    assert all(c.rank == "cosmetic" for c in cs.changes if c.type == "renumbered")


def test_punctuation_only_edit_is_cosmetic_and_a_date_edit_substantive():
    old = structure_of("t", [("一、", "本公告自2025年12月1日起实施，其余规定自公布之日起实施。"), ("二、", "出口经营者应当遵守规定。")])
    new = structure_of("t", [("一、", "本公告自2026年1月1日起实施，其余规定自公布之日起实施。"), ("二、", "出口经营者应当遵守规定；")])
    cs = {c.label: c for c in diff_versions(old, version(new, 2), None).changes}
    assert cs["1"].rank == "substantive" and "date" in cs["1"].reasons
    assert cs["2"].rank == "cosmetic" and cs["2"].reasons == ("punctuation",)


@pytest.mark.slow
def test_reworded_clause_moved_elsewhere_is_paired_by_meaning_with_the_real_model():
    """Lexically different, semantically the same: only the embedding model can pair these."""
    old = structure_of("t", [("I.", "General provisions."), ("(I)", "Exporters must apply for a licence before "
                                                                      "shipping the listed rare earth items abroad."),
                             ("II.", "Customs declarations."), ("(I)", "Declarants state whether goods are controlled.")])
    new = structure_of("t", [("I.", "General provisions."), ("II.", "Customs declarations."),
                             ("(I)", "Declarants state whether goods are controlled."),
                             ("(II)", "A licence is required before any export of the rare earth items on the list.")])
    model = diff_versions(old, version(new, 2), get_embedder("minilm"))
    moved = [c for c in model.changes if c.type == "moved"]
    assert [(c.old_label, c.label) for c in moved] == [("1.1", "2.2")], model.changes
    assert moved[0].similarity and moved[0].similarity >= 0.55
    lexical_only = diff_versions(old, version(new, 2), None)
    assert {c.type for c in lexical_only.changes} == {"added", "removed"}  # without meaning, no pairing


def test_compare_2025_18_with_2025_57_names_the_five_new_elements_and_codes(walked_home):
    with Store(walked_home) as store:
        cs = compare(understand(store, "mofcom-gacc-2025-18"), understand(store, "mofcom-gacc-2025-57"), None)
    new = {e["symbol"] for e in cs.summary["elements_only_in"]["mofcom-gacc-2025-57"]}
    assert new == {"Ho", "Er", "Tm", "Eu", "Yb"}
    codes = cs.summary["codes_only_in"]["mofcom-gacc-2025-57"]
    assert {c.split(".")[0] for sym in new for c in codes[sym]} == {"1C909", "1C910", "1C911", "1C912", "1C913"}
    assert "10-digit" in cs.summary["reference_numbers"]["mofcom-gacc-2025-18"]
    assert "8-digit" in cs.summary["reference_numbers"]["mofcom-gacc-2025-57"]
    assert not any(c.type == "modified" for c in cs.changes)  # no Sm item is said to have become a Ho item


def test_compare_superhard_2024_33_with_2025_55(walked_home):
    with Store(walked_home) as store:
        cs = compare(understand(store, "mofcom-gacc-2024-33"), understand(store, "mofcom-gacc-2025-55"), None)
    added = [c for c in cs.changes if c.type == "added"]
    assert added and all(c.citation["notice"] == "mofcom-gacc-2025-55" for c in added)
    assert any("金刚石" in c.new_text for c in added)


def test_diff_cli(walked_home, capsys):
    from tracker.cli import main

    home = str(walked_home)
    assert main(["--home", home, "diff", "mofcom-gacc-2025-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from"]["version"] == 1 and data["to"]["version"] == 2
    assert data["changes"][0]["rank"] == "substantive" and data["changes"][0]["explanation"]["zh"]
    assert main(["--home", home, "diff", "mofcom-gacc-2025-57"]) == 1
    assert "only version 1" in capsys.readouterr().err
    assert main(["--home", home, "compare", "mofcom-gacc-2025-18", "mofcom-gacc-2025-57"]) == 0
    assert "钬 Ho" in capsys.readouterr().out
    assert main(["--home", home, "changes", "--since", "2025-11-01", "--until", "2025-11-30", "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    events = {(t["notice"], t["provision"], t["event"]) for t in changes["transitions"]}
    assert ("mofcom-gacc-2025-57", "*", "suspended before taking effect") in events
    assert ("mofcom-2024-46", "2", "suspended") in events
    with Store(walked_home) as store:
        kinds = {r[0] for r in store.conn.execute("SELECT kind FROM audit")}
    assert {"diff", "compare", "changes"} <= kinds
