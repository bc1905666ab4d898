"""A stored notice version -> its structure: clauses with stable labels, control items, effective dates,
relations and warnings. Pure functions of stored parses; nothing here fetches or writes."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.store.repository import Store
from tracker.structure.controls import control_items
from tracker.structure.dates import effective_dates
from tracker.structure.labels import annex_clauses, build_clauses, qa_clauses
from tracker.structure.relations import discussed, relations
from tracker.types import Clause, ControlItem, Effective, Relation, StructureWarning


@dataclass(frozen=True)
class NoticeStructure:
    notice: str
    kind: str
    lang: str
    version: int
    number: str
    title: str
    title_en: str
    issued: str | None
    url: str
    clauses: tuple[Clause, ...]
    items: tuple[ControlItem, ...]
    effective: tuple[Effective, ...]
    relations: tuple[Relation, ...]
    warnings: tuple[StructureWarning, ...]

    def clause(self, label: str) -> Clause | None:
        return next((c for c in self.clauses if c.label == label), None)


def understand(store: Store, notice_id: str, lang: str = "zh", seq: int | None = None) -> NoticeStructure | None:
    row = store.conn.execute(
        "SELECT v.*, n.kind, n.number, n.title, n.title_en, n.issued FROM version v JOIN notice n ON n.id = v.notice_id "
        "WHERE v.notice_id = ? AND v.lang = ? AND (? IS NULL OR v.seq = ?) ORDER BY v.seq DESC LIMIT 1",
        (notice_id, lang, seq, seq)).fetchone()
    if row is None:
        return None
    page = store.page_parse(row["page_sha"])
    if row["kind"] == "interpretation":
        return _interpretation(row, page, notice_id, lang)
    clauses, warnings = build_clauses(notice_id, page.blocks, row["page_url"])
    for annex in store.conn.execute("SELECT n, sha256, url, title FROM version_annex WHERE version_id = ? ORDER BY n",
                                    (row["id"],)):
        cached = store.annex_parse(annex["sha256"])
        clauses.append(Clause(f"annex{annex['n']}", f"{annex['title']}（{annex['url']}）", kind="annex_file",
                              source=annex["url"]))
        if cached and cached[1] is not None:
            clauses += annex_clauses(annex["n"], cached[1])
    issued = row["issued"] or page.issued
    title = page.title if lang == "zh" else row["title"]  # the title as this version printed it
    title_en = page.title if lang == "en" else row["title_en"]
    return NoticeStructure(
        notice_id, row["kind"], lang, row["seq"], row["number"], title, title_en, issued,
        row["page_url"], tuple(clauses), tuple(control_items(clauses)), tuple(effective_dates(clauses, issued)),
        tuple(relations(clauses, notice_id, issued)), tuple(warnings))


def _interpretation(row, page, notice_id: str, lang: str) -> NoticeStructure:
    """An official interpretation: clauses (questions and answers) and the notices it discusses; never
    provisions, control items, effective dates or relations that move a state."""
    clauses, warnings = qa_clauses(notice_id, page.blocks, row["page_url"])
    return NoticeStructure(
        notice_id, "interpretation", lang, row["seq"], "", page.title if lang == "zh" else row["title"],
        page.title if lang == "en" else row["title_en"], row["issued"] or page.issued, row["page_url"],
        tuple(clauses), (), (), tuple(discussed(clauses, notice_id)), tuple(warnings))


def understand_all(store: Store) -> dict[str, NoticeStructure]:
    """The latest structure of every notice: the Chinese text where there is one, else the English."""
    out: dict[str, NoticeStructure] = {}
    for notice in store.notices():
        lang = "zh" if "zh" in notice["languages"] else "en"
        found = understand(store, notice["id"], lang)
        if found is not None:
            out[notice["id"]] = found
    return out


def from_blocks(notice_id: str, lines: list[tuple[str, str]], version: int = 1, issued: str = "",
                url: str = "") -> NoticeStructure:
    """A structure from [marker, text] lines (for synthetic diff cases and tests)."""
    from tracker.types import Block

    clauses, warnings = build_clauses(notice_id, tuple(Block(t, m) for m, t in lines), url)
    return NoticeStructure(notice_id, "notice", "zh", version, "", "", "", issued or None, url, tuple(clauses),
                           tuple(control_items(clauses)), tuple(effective_dates(clauses, issued or None)),
                           tuple(relations(clauses, notice_id, issued or None)), tuple(warnings))
