"""Clause labels, control items, effective dates and relations read from text."""

from __future__ import annotations

from tracker.store.repository import Store
from tracker.structure.dates import effective_dates
from tracker.structure.labels import build_clauses, cn_number
from tracker.structure.refs import clause_refs, notice_refs
from tracker.structure.relations import relations
from tracker.types import Block, Clause
from tracker.understand import understand


def blocks(*lines: tuple[str, str]) -> tuple[Block, ...]:
    return tuple(Block(text, marker) for marker, text in lines)


def test_labels_for_chinese_and_english_numbering():
    clauses, warnings = build_clauses("t", blocks(("", "为……公告如下："), ("一、", "甲"), ("（一）", "乙"), ("1.", "丙"),
                                                  ("（1）", "丁"), ("a.", "戊"), ("", "续段"), ("二、", "己")), "u")
    assert [c.label for c in clauses] == ["preamble.1", "1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.1.a", "1.p1", "2"]
    assert clauses[2].heading == ("甲",) and warnings == []
    en, _ = build_clauses("t", blocks(("I.", "A"), ("(I)", "B"), ("(II)", "C"), ("II.", "D")), "u")
    assert [c.label for c in en] == ["1", "1.1", "1.2", "2"]
    assert cn_number("二十三") == 23 and cn_number("十") == 10


def test_broken_numbering_still_gives_a_tree_and_warns_naming_the_notice():
    clauses, warnings = build_clauses("mofcom-2099-1", blocks(("一、", "a"), ("三、", "b"), ("1.", "c"), ("三、", "d")), "u")
    assert [c.label for c in clauses] == ["1", "3", "3.1", "3~2"]
    messages = " | ".join(w.message for w in warnings)
    assert all(w.notice == "mofcom-2099-1" for w in warnings)
    assert "jumps" in messages and "skips a level" in messages and "repeats" in messages


def test_clause_and_notice_references():
    assert clause_refs("本公告第一条第（一）项、第（二）项自2025年12月1日起实施") == ["1.1", "1.2"]
    refs = notice_refs("暂停实施商务部 海关总署公告2025年第55号、第56号和商务部公告2025年第61号、第62号")
    assert [r.id for r in refs] == ["mofcom-gacc-2025-55", "mofcom-gacc-2025-56", "mofcom-2025-61", "mofcom-2025-62"]
    (ref,) = notice_refs("暂停实施商务部公告2024年第46号第二条")
    assert ref.id == "mofcom-2024-46" and ref.clause == "2"


def test_effective_dates_per_provision_in_both_languages():
    cl = [Clause("8", "本公告第一条第（一）项、第（二）项自2025年12月1日起实施，其余规定自公布之日起实施。")]
    found = {(e.label, e.date) for e in effective_dates(cl, "2025-10-09")}
    assert found == {("1.1", "2025-12-01"), ("1.2", "2025-12-01"), ("*", "2025-10-09")}
    en = [Clause("5", "This announcement shall come into force on the date of its publication.")]
    assert [(e.label, e.date) for e in effective_dates(en, "2025-04-04")] == [("*", "2025-04-04")]
    later = [Clause("4", "This announcement shall be implemented from December 1, 2025.")]
    assert [(e.label, e.date) for e in effective_dates(later, "2025-10-09")] == [("*", "2025-12-01")]
    suspension = [Clause("1", "自即日起至2026年11月10日暂停实施商务部公告2025年第61号。")]
    assert effective_dates(suspension, "2025-11-07") == []  # a suspension's dates are not effective dates


def test_relations_suspend_with_interval_and_listing_entities():
    cl = [Clause("1", "自即日起至2026年11月10日暂停实施商务部 海关总署公告2025年第57号。"),
          Clause("2", "自2026年1月1日起恢复实施商务部公告2024年第46号第二条。")]
    rels = relations(cl, "mofcom-gacc-2025-70", "2025-11-07")
    assert [(r.kind, r.target, r.target_label, r.start, r.until, r.until_day) for r in rels] == [
        ("suspends", "mofcom-gacc-2025-57", "*", "2025-11-07", "2026-11-10", "ambiguous"),
        ("resumes", "mofcom-2024-46", "2", "2026-01-01", None, "ambiguous")]


def test_structures_read_from_the_crawled_mirror(walked_home):
    with Store(walked_home) as store:
        n18 = understand(store, "mofcom-gacc-2025-18")
        item = next(i for i in n18.items if i.code == "1C902.a" and i.label.startswith("annex"))
        assert "2805301910" in item.hs10 and item.elements[0] == "Sm"
        assert {i.code for i in n18.items if i.label.startswith("annex1.")} >= {"1C905.a", "1C908.c"}
        n57 = understand(store, "mofcom-gacc-2025-57")
        assert any(i.reserved for i in n57.items) and all(not i.hs10 for i in n57.items if i.hs8)
        assert any(i.hs8 for i in n57.items)
        n58 = understand(store, "mofcom-gacc-2025-58")
        assert any("2.5" in p for i in n58.items for p in i.parameters)
        n61 = understand(store, "mofcom-2025-61")
        labels = {c.label for c in n61.clauses}
        assert {"annex1.part1", "annex1.part2"} <= labels
        n12 = understand(store, "mofcom-2026-12")
        listing = next(r for r in n12.relations if r.kind == "lists_entities")
        assert listing.list_name == "watch list" and len(listing.entities) == 19  # latest version dropped one
        n12v1 = understand(store, "mofcom-2026-12", "zh", 1)
        assert len(next(r for r in n12v1.relations if r.kind == "lists_entities").entities) == 20
