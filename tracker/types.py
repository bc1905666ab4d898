"""Frozen values that flow between stages. Nothing else lives here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fetched:
    """One HTTP exchange. `url` is canonical (the real site's URL), whatever transport served it."""

    url: str
    status: int
    content: bytes
    content_type: str
    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: content is empty, the stored snapshot stands


@dataclass(frozen=True)
class Listing:
    """A row of a list page or list API: where an article lives and what the list says of it."""

    url: str
    title: str
    date: str | None
    list_id: str


@dataclass(frozen=True)
class Block:
    """A paragraph of a body, its numbering marker kept apart ("一、", "（一）", "1.", "a.", "I.", "(I)")."""

    text: str
    marker: str = ""
    kind: str = "para"  # para | signature


@dataclass(frozen=True)
class AnnexLink:
    url: str
    title: str
    ext: str


@dataclass(frozen=True)
class DocNumber:
    """A document number as printed in 【发布文号】, e.g. 商务部 海关总署公告2025年第18号."""

    issuers: tuple[str, ...]  # lowercase abbreviations in printed order: ("mofcom", "gacc")
    year: int | None
    seq: int | None
    form: str = "announcement"  # announcement | decree | unnumbered | interpretation
    text: str = ""
    date: str | None = None  # for unnumbered documents: the issue date makes the identity
    key: str = ""  # interpretations: a short key of the title (several can share a date)

    @property
    def id(self) -> str:
        who = "-".join(self.issuers)
        if self.form == "decree":
            return f"{who}-decree-{self.seq}"
        if self.form == "interpretation":
            return f"{who}-interp-{(self.date or '').replace('-', '')}-{self.key}"
        if self.form == "unnumbered":
            return f"{who}-{(self.date or '').replace('-', '')}"
        return f"{who}-{self.year}-{self.seq}"


@dataclass(frozen=True)
class ParsedPage:
    url: str
    lang: str  # zh | en
    layout: str  # which site shape was recognised
    title: str
    number: DocNumber | None
    unit: str = ""
    issued: str | None = None  # 【发文日期】 as ISO date
    published: str | None = None  # the page's own timestamp
    source: str = ""  # 来源
    doc_type: str = ""  # 类型
    blocks: tuple[Block, ...] = ()
    annexes: tuple[AnnexLink, ...] = ()
    kind: str = "notice"


@dataclass(frozen=True)
class PdfPage:
    number: int
    text: str
    prose: str = ""  # the text outside tables


@dataclass(frozen=True)
class PdfTable:
    page: int
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""  # text between the previous table (or the page top) and this table


@dataclass(frozen=True)
class ParsedAnnex:
    url: str
    ext: str
    pages: tuple[PdfPage, ...] = ()
    tables: tuple[PdfTable, ...] = ()
    parsed: bool = True  # False: stored raw (not a PDF)


@dataclass
class CrawlReport:
    """What a crawl did. Mutable while the crawl runs; the CLI prints it at the end."""

    new: list[str] = field(default_factory=list)  # notice ids first seen
    changed: list[str] = field(default_factory=list)  # notice ids with a new version
    unchanged: int = 0  # pages fetched and found unchanged (304 or same bytes)
    failed: list[str] = field(default_factory=list)  # one-line errors naming the URL
    fetched: int = 0
    parsed_pages: int = 0
    parsed_annex_pages: int = 0
    removed: list[str] = field(default_factory=list)  # URLs that now serve no article

    def as_dict(self) -> dict:
        return {
            "new": self.new, "changed": self.changed, "unchanged": self.unchanged, "failed": self.failed,
            "removed": self.removed, "fetched": self.fetched, "parsed_pages": self.parsed_pages,
            "parsed_annex_pages": self.parsed_annex_pages,
        }


# -- understand ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clause:
    """A numbered provision (or a paragraph, table row, signature) with a stable label.

    Labels: 一、 -> "1", （一） -> "1.1", 1. -> "1.1.1", （1） -> "1.1.1.1", a. -> "1.1.1.a";
    unnumbered paragraphs "preamble.1" or "<parent>.p1"; annex parts and rows "annex1.part2",
    "annex1.part2.1C902.a" (rows keyed by control code when they have one, else "row<N>").
    """

    label: str
    text: str
    marker: str = ""
    kind: str = "clause"  # clause | para | preamble | signature | annex_para | annex_row
    heading: tuple[str, ...] = ()  # texts of the ancestors, outermost first (shortened)
    source: str = ""  # URL of the page or annex it was read from
    cells: tuple[str, ...] = ()  # annex rows: the cells
    header: tuple[str, ...] = ()  # annex rows: the table header


@dataclass(frozen=True)
class ControlItem:
    code: str  # "1C902.a" or "" when the item has none
    label: str  # clause label it was read from
    name: str
    description: str
    elements: tuple[str, ...] = ()  # element symbols: ("Sm",)
    hs10: tuple[str, ...] = ()  # 10-digit reference customs numbers
    hs8: tuple[str, ...] = ()  # 8-digit reference tariff lines
    parameters: tuple[str, ...] = ()  # "≥ 99.99 %", "≥ 300 Wh/kg" ...
    reserved: bool = False
    source: str = ""


@dataclass(frozen=True)
class Effective:
    """When a provision takes effect, read from the text."""

    label: str  # "*" = the whole notice (or everything not otherwise dated)
    date: str  # ISO
    evidence: str  # the sentence that says so
    evidence_label: str  # where that sentence is


@dataclass(frozen=True)
class Relation:
    kind: str  # suspends | resumes | amends | repeals | supersedes | implements | references | lists_entities
    #            | discusses (an official interpretation naming a notice)
    source_label: str  # where in this notice
    target: str  # notice id ("mofcom-gacc-2025-55"), or "" for entity listings
    target_label: str = "*"  # clause of the target ("2" for 第二条), "*" for the whole notice
    target_text: str = ""  # the number as printed
    start: str | None = None  # ISO: from when (suspensions, repeals)
    until: str | None = None  # ISO: until when, as printed
    until_day: str = "ambiguous"  # is `until` itself covered? inclusive | exclusive | ambiguous (text is silent)
    evidence: str = ""
    entities: tuple[str, ...] = ()  # entity listings: names
    list_name: str = ""  # entity listings: control list | watch list


@dataclass(frozen=True)
class StructureWarning:
    notice: str
    message: str


# -- diff ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    type: str  # added | removed | modified | moved | renumbered
    label: str  # label in the newer text (the older one for removed)
    old_label: str | None
    old_text: str
    new_text: str
    rank: str  # substantive | cosmetic
    reasons: tuple[str, ...] = ()  # code, customs number, number, date, element, scope, wording, new clause ...
    edits: tuple[tuple[str, str, str], ...] = ()  # (op, old span, new span)
    similarity: float | None = None
    explanation_en: str = ""
    explanation_zh: str = ""
    citation: dict = field(default_factory=dict)  # notice, label, url, version

    def as_dict(self) -> dict:
        return {"type": self.type, "label": self.label, "old_label": self.old_label, "rank": self.rank,
                "reasons": list(self.reasons), "old_text": self.old_text, "new_text": self.new_text,
                "edits": [list(e) for e in self.edits], "similarity": self.similarity,
                "explanation": {"en": self.explanation_en, "zh": self.explanation_zh}, "citation": self.citation}


@dataclass(frozen=True)
class ChangeSet:
    kind: str  # version | compare
    a: dict  # notice, lang, version, url
    b: dict
    changes: tuple[Change, ...] = ()
    summary: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "from": self.a, "to": self.b, "summary": self.summary,
                "changes": [c.as_dict() for c in self.changes]}


# -- ask -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Citation:
    notice: str
    label: str
    url: str
    quote: str
    key: str = ""  # the chunk key it came from, when retrieved

    def as_dict(self) -> dict:
        return {"notice": self.notice, "label": self.label, "url": self.url, "quote": self.quote, "key": self.key}


@dataclass(frozen=True)
class Answer:
    question: str
    as_of: tuple[str, ...]  # the date(s) the answer is for
    answer: str  # every sentence ends with its citation markers [1], [2]
    cannot_answer: bool
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[tuple[str, float], ...] = ()  # (chunk key, fused score)
    latency_ms: float = 0.0
    answerer: str = "offline"
    prompt_version: str = ""
    lang: str = "en"

    def as_dict(self) -> dict:
        return {"question": self.question, "as_of": self.as_of[0] if len(self.as_of) == 1 else list(self.as_of),
                "answer": self.answer, "cannot_answer": self.cannot_answer,
                "citations": [c.as_dict() for c in self.citations],
                "retrieved": [{"key": k, "score": s} for k, s in self.retrieved], "latency_ms": self.latency_ms,
                "answerer": self.answerer, "prompt_version": self.prompt_version, "lang": self.lang}
