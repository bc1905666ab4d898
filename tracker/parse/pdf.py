"""PDF annexes with pdfplumber (imported lazily): text per page and tables whose rows stay rows.

A PDF with no text layer, or whose text comes out as (cid:N) glyph ids, raises NeedsOCRError: it is flagged,
never stored as an empty annex.
"""

from __future__ import annotations

import io
import re

from tracker.errors import CorruptDocumentError, EncryptedPDFError, NeedsOCRError
from tracker.types import ParsedAnnex, PdfPage, PdfTable

CID = re.compile(r"\(cid:\d+\)")
CJKISH = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef、]")


def join_cell_lines(cell: str | None) -> str:
    """pdfplumber returns wrapped cell text with newlines; CJK and numbers join tight, Latin words with a space."""
    if not cell:
        return ""
    parts = [p.strip() for p in cell.splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and not (CJKISH.search(out[-1]) or CJKISH.search(part[0]) or out[-1].isdigit() and part[0].isdigit()):
            out += " "
        out += part
    return out


def _inside(obj, boxes) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes)


def parse_pdf(url: str, content: bytes) -> ParsedAnnex:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise CorruptDocumentError("not a PDF file (no %PDF header)", url=url)
    pages, tables = [], []
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages:
                text = page.extract_text() or ""
                found = page.find_tables()
                boxes = [t.bbox for t in found]
                prose = page.filter(lambda obj, boxes=boxes: not _inside(obj, boxes)).extract_text() or "" \
                    if boxes else text
                pages.append(PdfPage(page.page_number, text, prose))
                top = 0.0
                for table in found:
                    x0, y0, x1, y1 = table.bbox
                    caption = ""
                    if y0 - top > 2:
                        caption = page.crop((0, top, page.width, y0)).extract_text() or ""
                    top = y1
                    rows = tuple(tuple(join_cell_lines(c) for c in row) for row in table.extract() if any(row))
                    if rows:
                        tables.append(PdfTable(page.page_number, rows, caption.strip()))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPDFError("PDF is encrypted and cannot be read without a password", url=url) from exc
    except (PDFSyntaxError, PSException, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise CorruptDocumentError(f"PDF is corrupt or truncated ({type(exc).__name__}: {exc})", url=url) from exc
    except Exception as exc:  # pdfplumber wraps pdfminer's errors; pdfminer raises many types on broken files
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__context__
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(exc).lower():
            raise EncryptedPDFError("PDF is encrypted and cannot be read without a password", url=url) from exc
        raise CorruptDocumentError(f"PDF is corrupt or truncated ({type(exc).__name__}: {exc})", url=url) from exc
    text = "".join(p.text for p in pages)
    if not text.strip():
        raise NeedsOCRError(f"PDF has no text layer ({len(pages)} page(s)); needs OCR", url=url)
    cid = sum(len(m) for m in CID.findall(text))
    if cid / max(len(text), 1) > 0.2:
        raise NeedsOCRError("PDF text is (cid:N) glyph ids with no Unicode mapping; needs OCR", url=url)
    return ParsedAnnex(url, "pdf", tuple(pages), tuple(tables))
