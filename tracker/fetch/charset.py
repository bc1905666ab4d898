"""Bytes to text for HTML: the declared header, then a meta tag, then detection. GBK/GB2312 read as GB18030."""

from __future__ import annotations

import codecs
import re

from tracker.errors import CorruptDocumentError

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# Supersets: a page that says GB2312 or GBK is decoded with GB18030, which reads both and more.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030", "ascii": "utf-8",
          "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}


def _normal(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _WIDEN.get(name.lower(), _WIDEN.get(canonical, canonical))


def declared(content: bytes, content_type: str) -> tuple[str | None, str]:
    """The encoding a page declares and where: ('gb18030', 'meta'), or (None, 'none')."""
    match = _HEADER.search(content_type or "")
    if match and (enc := _normal(match.group(1))):
        return enc, "header"
    match = _META.search(content[:4096])
    if match and (enc := _normal(match.group(1).decode("ascii", "ignore"))):
        return enc, "meta"
    return None, "none"


def decode_html(content: bytes, content_type: str, url: str) -> tuple[str, str]:
    """Return (text, encoding). A declared encoding that fails to decode falls through to detection."""
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8"), "utf-8"
    encoding, _ = declared(content, content_type)
    if encoding:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(content, cp_isolation=["gb18030", "big5", "utf_16", "cp1252"]).best()
    if best is None:
        raise CorruptDocumentError("cannot tell the character encoding of this page", url=url)
    encoding = _normal(best.encoding) or best.encoding
    return content.decode(encoding, errors="replace"), encoding
