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
                pages.append(PdfPage(page.page_number, text))
                for table in page.extract_tables():
                    rows = tuple(tuple(join_cell_lines(c) for c in row) for row in table if any(row))
                    if rows:
                        tables.append(PdfTable(page.page_number, rows))
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
