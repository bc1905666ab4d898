"""Annex PDFs with real tables (ruled grids that pdfplumber can extract), in a CJK font."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

rl_config.invariant = 1  # same input, same bytes

FONT_FILES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]
NUMBERS = re.compile(r"^[\d、，,.\s]+$")


@cache
def font() -> str:
    for path in FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("CJK", str(path), subfontIndex=0))
            return "CJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # no file needed; not embedded
    return "STSong-Light"


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if NUMBERS.match(text):
        text = text.replace("、", "、<br/>")  # one customs number a line: never split inside a number
    return Paragraph(text, style)


def render_pdf(annex: dict, doc: dict) -> bytes:
    name = font()
    body = ParagraphStyle("body", fontName=name, fontSize=10, leading=14, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=14, leading=20, alignment=1)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11)
    story = []
    for i, para in enumerate(annex.get("paragraphs", [])):
        story.append(Paragraph(para, head if i < 2 else body))
        story.append(Spacer(1, 3 * mm))
    for table in annex.get("table", []):
        if table.get("caption"):
            story.append(Paragraph(table["caption"], body))
            story.append(Spacer(1, 2 * mm))
        header = table["header"]
        rows = [[_cell(c, cell) for c in header]] + [[_cell(c, cell) for c in row] for row in table["rows"]]
        widths = table.get("widths") or _widths(header)
        t = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(t)
        story.append(Spacer(1, 5 * mm))
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=landscape(A4), title=annex["title"], author=doc.get("unit", ""),
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    pdf.build(story)
    return out.getvalue()


def _widths(header: list[str]) -> list[float]:
    """Spread 267 mm over the columns: narrow for 序号/codes/numbers, wide for descriptions."""
    weights = []
    for h in header:
        if h in ("序号", "No.", "No"):
            weights.append(1)
        elif "编码" in h or "编号" in h or "号列" in h or "code" in h.lower():
            weights.append(2.2)
        else:
            weights.append(4)
    total = sum(weights)
    return [267 * w / total for w in weights]
