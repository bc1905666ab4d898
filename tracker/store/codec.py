"""JSON in and out of the store for the frozen values of tracker.types (no pickle, ever)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from tracker.types import AnnexLink, Block, DocNumber, ParsedAnnex, ParsedPage, PdfPage, PdfTable


def dumps(value) -> str:
    return json.dumps(asdict(value) if hasattr(value, "__dataclass_fields__") else value,
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def page_from_json(text: str) -> ParsedPage:
    d = json.loads(text)
    number = d.pop("number")
    return ParsedPage(
        **{k: v for k, v in d.items() if k not in ("blocks", "annexes")},
        number=DocNumber(**{**number, "issuers": tuple(number["issuers"])}) if number else None,
        blocks=tuple(Block(**b) for b in d["blocks"]),
        annexes=tuple(AnnexLink(**a) for a in d["annexes"]),
    )


def annex_from_json(text: str) -> ParsedAnnex:
    d = json.loads(text)
    return ParsedAnnex(
        url=d["url"], ext=d["ext"], parsed=d["parsed"],
        pages=tuple(PdfPage(**p) for p in d["pages"]),
        tables=tuple(PdfTable(t["page"], tuple(tuple(r) for r in t["rows"]), t.get("caption", "")) for t in d["tables"]),
    )


def content_hash(page: ParsedPage, annex_shas: list[tuple[str, str]]) -> str:
    """What makes a version: metadata, numbered blocks and annex contents; not the host or page chrome."""
    payload = {
        "number": page.number.text if page.number else "",
        "title": page.title, "unit": page.unit, "issued": page.issued,
        "blocks": [[b.marker, b.text, b.kind] for b in page.blocks],
        "annexes": annex_shas,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
