"""The digest (digest.py's dict) as Markdown, one self-contained e-mail-safe HTML page (inline CSS only), JSON,
or Slack Block Kit messages split to respect Slack's limits (50 blocks a message, 3,000 characters a section
text, 150 characters a header).

All four come from one intermediate form — sections of lines of styled spans — so every format carries the same
facts: bilingual titles, dates, the notices that decide each state, and source links.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FORMATS = ("md", "html", "json", "slack")
SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
# Not in Slack's reference but enforced: chat.postMessage answers msg_blocks_too_long when the blocks' text adds up
# to about 13,000 characters. Stay well under it.
SLACK_MAX_MESSAGE_CHARS = 12_000
EVENT_WORDS = {"in_force": "in force", "not_yet_effective": "not yet effective", "suspended": "suspended",
               "repealed": "repealed", "expired": "expired", None: "not yet published"}


@dataclass(frozen=True)
class Span:
    text: str
    style: str = ""  # "" | b | i | del | ins | code | link
    url: str = ""


@dataclass
class Line:
    spans: list[Span]
    indent: int = 0


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


def render(digest: dict, fmt: str):
    """str for md / html / json; a list of Slack messages ({"text", "blocks"}) for slack."""
    if fmt == "md":
        return to_markdown(digest)
    if fmt == "html":
        return to_html(digest)
    if fmt == "json":
        return json.dumps(digest, ensure_ascii=False, indent=2) + "\n"
    if fmt == "slack":
        return to_slack(digest)
    raise ValueError(f"unknown digest format {fmt!r}; one of {', '.join(FORMATS)}")


# -- the intermediate form -----------------------------------------------------------------------------------------
# What is still to come reads in the future tense.
FUTURE = {"entered into force": "enters into force", "suspended": "is suspended", "resumed": "resumes",
          "expired": "expires", "repealed": "is repealed", "suspension ended": "suspension ends",
          "suspended before taking effect": "is suspended before taking effect"}


def title_of(d: dict) -> str:
    span = d["since"] if d["since"] == d["until"] else f"{d['since']} – {d['until']}"
    return f"Export-control digest · {span}"


def _zh_title(item: dict) -> str:
    title, number = item.get("title") or "", item.get("number") or ""
    rest = title[len(number):].strip() if number and title.startswith(number) else title
    return rest


def _who(item: dict, key: str = "id") -> list[Span]:
    nid = item.get(key) or item.get("notice") or ""
    head = item.get("number") or _zh_title(item) or item.get("title_en") or nid
    return [Span(head, "b"), Span(" "), Span(nid, "code")]


def _titles(item: dict, indent: int = 1) -> list[Line]:
    out = []
    zh = _zh_title(item)
    if zh and item.get("number"):  # without a number the Chinese title is already the head line
        out.append(Line([Span(zh)], indent))
    if item.get("title_en"):
        out.append(Line([Span(item["title_en"], "i")], indent))
    return out


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _links(links: list[dict], indent: int = 1) -> list[Line]:
    spans: list[Span] = [Span("sources: ")]
    for i, link in enumerate(links[:4]):
        if i:
            spans.append(Span(" · "))
        label = {"zh": "中文", "en": "English"}.get(link.get("lang") or "", _host(link["url"]))
        spans.append(Span(label, "link", link["url"]))
    return [Line(spans, indent)] if links else []


def _redline(runs: list[list[str]]) -> list[Span]:
    style = {"=": "", "-": "del", "+": "ins"}
    return [Span(re.sub(r"\s+", " ", text) if op == "=" else text.strip(), style[op]) for op, text in runs
            if text.strip()]


def _provisions(labels: list[str]) -> str:
    return ", ".join("whole notice" if p == "*" else p for p in labels)


def _grouped(transitions: list[dict]) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for t in transitions:
        key = (t["date"], t["notice"], t["event"])
        if key not in groups:
            groups[key] = {**t, "provisions": []}
        groups[key]["provisions"].append(t["provision"])
        if t["provision"] == "*":  # the whole notice's note speaks for the group
            groups[key].update(note=t["note"], determined_by=t["determined_by"], was_until=t["was_until"])
        groups[key]["ambiguous"] = groups[key]["ambiguous"] or t["ambiguous"]
    return list(groups.values())


def _deciders(t: dict, indent: int) -> list[Line]:
    others = [d for d in t["determined_by"] if d["notice"] != t["notice"] and d.get("url")]
    if not others:
        return []
    spans = [Span("decided by: ")]
    for i, d in enumerate(others):
        where = f", clause {d['label']}" if d.get("label") else ""
        spans += [Span(", ")] * bool(i) + [Span(d.get("number") or d["notice"], "link", d["url"]),
                                           Span(f" ({d['role']}{where})")]
    return [Line(spans, indent)]


def sections(d: dict) -> tuple[list[Line], list[Section]]:
    """The digest as an intro and sections of styled lines."""
    intro: list[Line] = []
    if d["quiet"]:
        intro.append(Line([Span(d["quiet_line"], "b")]))
    if d.get("documents_until"):
        intro.append(Line([Span(f"{d['stored_notices']} documents in the store, the newest issued on "
                                f"{d['documents_until']}.", "i")]))
    if d.get("projection"):
        intro.append(Line([Span("Note: " + d["projection"] + ".", "i")]))
    out: list[Section] = []
    if d["notices"]:
        s = Section(f"New notices ({len(d['notices'])})")
        for n in d["notices"]:
            when = f" — issued {n['issued']}" if n.get("issued") else ""
            seen = f", first seen {n['first_seen']}" if n.get("first_seen") and n["first_seen"] != n["issued"] else ""
            items = f"; {n['items']} control item(s)" if n.get("items") else ""
            s.lines.append(Line(_who(n) + [Span(when + seen + items)]))
            s.lines += _titles(n) + _links(n["links"])
        out.append(s)
    if d["versions"]:
        s = Section(f"New versions ({len(d['versions'])})")
        for v in d["versions"]:
            sm = v["summary"]
            s.lines.append(Line(_who(v, "notice") + [Span(f" — {v['lang']} v{v['version'] - 1} → v{v['version']}, seen "
                                                      f"{v['observed_on']}: {sm['changes']} change(s), "
                                                      f"{sm['substantive']} substantive")]))
            s.lines += _titles(v)
            for c in v["excerpt"]:
                s.lines.append(Line([Span(c["explanation"]["en"])], 1))
                if v["lang"] == "zh" and c["explanation"]["zh"]:
                    s.lines.append(Line([Span(c["explanation"]["zh"], "i")], 2))
                red = _redline(c["redline"])
                if red and c["type"] == "modified" and "annex file" not in c["reasons"]:
                    s.lines.append(Line(red, 2))
                if c["citation"].get("url"):
                    s.lines.append(Line([Span(f"{c['citation']['notice']} {c['label']} v{c['citation']['version']}",
                                              "link", c["citation"]["url"])], 2))
            if v["more"]:
                s.lines.append(Line([Span(f"… and {v['more']} more change(s): "),
                                     Span(f"tracker diff {v['notice']} --lang {v['lang']} --to {v['version']}",
                                          "code")], 1))
        out.append(s)
    if d["transitions"]:
        groups = _grouped(d["transitions"])
        s = Section(f"Provisions that changed state ({len(groups)})")
        for t in groups:
            flags = (" (boundary day the text leaves open)" if t["ambiguous"] else "") + \
                    (" [projection]" if t["projected"] else "")
            s.lines.append(Line([Span(t["date"] + " · ")] + _who(t, "notice") +
                                [Span(f" — {t['event']}: "), Span(_provisions(t["provisions"]), "b"), Span(flags)]))
            if t["note"]:
                s.lines.append(Line([Span(t["note"])], 1))
            s.lines += _deciders(t, 1)
            if t.get("url"):
                s.lines += _links([{"lang": "", "url": t["url"]}])
        out.append(s)
    if d["upcoming"]:
        s = Section(f"Coming up in the {d['upcoming_days']} days after {d['until']}")
        for t in _grouped(d["upcoming"]):
            was = EVENT_WORDS.get(t["from"], t["from"])
            now = f"now {was}" + (f" until {t['was_until']}" if t.get("was_until") else "")
            days = f"in {t['in_days']} day" + ("" if t["in_days"] == 1 else "s")
            s.lines.append(Line([Span(f"{t['date']} ({days}) · ")] + _who(t, "notice") +
                                [Span(f" — {FUTURE.get(t['event'], t['event'])}: "),
                                 Span(_provisions(t["provisions"]), "b")]))
            s.lines.append(Line([Span(now)], 1))
            if t["ambiguous"] and t.get("was_until"):
                s.lines.append(Line([Span(f"the text does not say whether {t['was_until']} itself is included: "
                                          f"on that day both readings are possible", "i")], 1))
            s.lines += _deciders(t, 1)
        if any(t["projected"] for t in d["upcoming"]):
            s.lines.append(Line([Span("These dates follow the documents issued by "
                                      f"{d['until']}; anything published later may change them.", "i")]))
        out.append(s)
    if d["interpretations"]:
        s = Section(f"Official interpretations ({len(d['interpretations'])})")
        for n in d["interpretations"]:
            what = "new" if n["status"] == "new" else f"changed (v{n.get('version')})"
            s.lines.append(Line(_who(n) + [Span(f" — {what}" + (f", issued {n['issued']}" if n.get("issued") else ""))]))
            s.lines += _titles(n)
            if n.get("discusses"):
                spans = [Span("discusses: ")]
                for i, x in enumerate(n["discusses"]):
                    spans += [Span(", ")] * bool(i) + [Span(x, "code")]
                s.lines.append(Line(spans, 1))
            for c in n.get("excerpt", []):
                s.lines.append(Line([Span(c["explanation"]["en"])], 1))
            s.lines += _links(n["links"])
        out.append(s)
    p = d["products"]
    if p["changes"]:
        s = Section(f"Products whose verdict changed ({len(p['changes'])})")
        for c in p["changes"]:
            s.lines.append(Line([Span(c["sku"], "code"), Span(f" {c.get('name', '')}: "),
                                 Span(str(c.get("from")).replace("_", " "), "del"), Span(" → "),
                                 Span(str(c.get("to")).replace("_", " "), "ins"),
                                 Span(f" on {c.get('date')}")]))
            for r in (c.get("reasons") or [])[:2]:
                line = [Span(r.get("explanation") or r.get("rule", ""))]
                if r.get("url"):
                    line += [Span(" "), Span(f"{r.get('notice', '')} {r.get('label', '')}".strip(), "link", r["url"])]
                s.lines.append(Line(line, 1))
        out.append(s)
    if d.get("errors"):
        s = Section(f"Could not be compared ({len(d['errors'])})")
        s.lines += [Line([Span(e["notice"], "code"), Span(": " + e["error"])]) for e in d["errors"]]
        out.append(s)
    if p["errors"]:
        s = Section(f"Catalogue rows skipped ({len(p['errors'])})")
        s.lines += [Line([Span(e)]) for e in p["errors"][:10]]
        out.append(s)
    return intro, out


def footer(d: dict) -> list[Line]:
    p = d["products"]
    lines = []
    if not p["changes"]:
        note = p["note"] or (f"no product among {p['products']} changed verdict" if p["configured"] else "")
        if note:
            lines.append(Line([Span("Products: " + note + ".", "i")]))
    lines.append(Line([Span("Every fact above comes from the stored MOFCOM/GACC documents; indicative, not legal "
                            "advice.", "i")]))
    return lines


# -- Markdown ------------------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _md(spans: list[Span]) -> str:
    out = []
    for s in spans:
        text = _MD_SPECIAL.sub(r"\\\1", s.text)
        if s.style == "link" and _safe(s.url):
            out.append(f"[{text}]({s.url})")
        elif s.style == "code":
            out.append(f"`{s.text.replace('`', '')}`")
        elif s.style in ("b", "ins") and text.strip():
            out.append(f"**{text}**")
        elif s.style == "i" and text.strip():
            out.append(f"_{text}_")
        elif s.style == "del" and text.strip():
            out.append(f"~~{text}~~")
        else:
            out.append(text)
    return "".join(out)


def to_markdown(d: dict) -> str:
    intro, secs = sections(d)
    out = [f"# {title_of(d)}", ""]
    out += [_md(line.spans) for line in intro]
    for s in secs:
        out += ["", f"## {s.title}", ""]
        for line in s.lines:
            out.append("  " * line.indent + "- " + _md(line.spans))
    out += [""] + [_md(line.spans) for line in footer(d)]
    return "\n".join(out) + "\n"


# -- HTML (e-mail: one page, inline styles only, no scripts, no external resources) ---------------------------------
_CSS = {
    "body": "margin:0;padding:0;background:#f3f4f6;",
    "wrap": "max-width:720px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,'Helvetica Neue',"
            "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;font-size:14px;line-height:1.5;"
            "color:#1f2937;",
    "h1": "margin:0 0 8px 0;padding:12px 16px;font-size:20px;color:#ffffff;background:#7f1d1d;border-radius:4px;",
    "h2": "margin:24px 0 8px 0;padding-bottom:4px;font-size:16px;color:#7f1d1d;border-bottom:2px solid #fecaca;",
    "p": "margin:4px 0;",
    "b": "font-weight:bold;",
    "i": "font-style:italic;color:#4b5563;",
    "del": "background:#fee2e2;color:#991b1b;text-decoration:line-through;",
    "ins": "background:#dcfce7;color:#166534;text-decoration:none;font-weight:bold;",
    "code": "font-family:Consolas,Menlo,monospace;font-size:12px;background:#f3f4f6;padding:1px 4px;"
            "border-radius:3px;",
    "link": "color:#1d4ed8;",
    "quiet": "margin:12px 0;padding:12px 16px;background:#ecfdf5;border-left:4px solid #10b981;",
    "foot": "margin-top:24px;padding-top:8px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280;",
}


def _safe(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _html(spans: list[Span]) -> str:
    out = []
    for s in spans:
        text = html.escape(s.text)
        if s.style == "link" and _safe(s.url):
            out.append(f'<a href="{html.escape(s.url, quote=True)}" style="{_CSS["link"]}">{text}</a>')
        elif s.style in ("b", "i", "del", "ins", "code"):
            tag = {"b": "strong", "i": "em", "del": "del", "ins": "ins", "code": "code"}[s.style]
            out.append(f'<{tag} style="{_CSS[s.style]}">{text}</{tag}>')
        else:
            out.append(text)
    return "".join(out)


def _p(line: Line, extra: str = "") -> str:
    pad = f"padding-left:{line.indent * 20}px;" if line.indent else ""
    return f'<p style="{_CSS["p"]}{pad}{extra}">{_html(line.spans)}</p>'


def to_html(d: dict) -> str:
    intro, secs = sections(d)
    title = html.escape(title_of(d))
    body = [f'<h1 style="{_CSS["h1"]}">{title}</h1>']
    for line in intro:
        body.append(_p(line, _CSS["quiet"] if d["quiet"] and line is intro[0] else ""))
    for s in secs:
        body.append(f'<h2 style="{_CSS["h2"]}">{html.escape(s.title)}</h2>')
        body += [_p(line) for line in s.lines]
    body.append(f'<div style="{_CSS["foot"]}">' + "".join(_p(line) for line in footer(d)) + "</div>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{title}</title>\n</head>\n<body style=\"{_CSS['body']}\">\n"
            f"<div style=\"{_CSS['wrap']}\">\n" + "\n".join(body) + "\n</div>\n</body>\n</html>\n")


# -- Slack Block Kit -----------------------------------------------------------------------------------------------
def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(spans: list[Span]) -> str:
    out = []
    for s in spans:
        text = _slack_escape(s.text)
        core = text.strip().replace("*", "").replace("~", "").replace("_", " ")
        if s.style == "link" and _safe(s.url):
            out.append(f"<{s.url.replace('|', '%7C').replace('>', '%3E')}|{text.replace('|', '/')}>")
        elif s.style == "code":
            out.append(f"`{text.replace('`', '')}`")
        elif s.style in ("b", "ins") and core:
            out.append(f"*{core}*")
        elif s.style == "i" and core:
            out.append(f"_{core}_")
        elif s.style == "del" and core:
            out.append(f"~{core}~")
        else:
            out.append(text)
    return "".join(out)


def _chunks(entries: list[str], limit: int) -> list[str]:
    """Entries packed into pieces of at most `limit` characters; an entry (a line and its sub-lines) is kept whole
    unless it alone is longer than `limit`, when it is cut at line ends, then hard."""
    return _pack([part for entry in entries for part in ([entry] if len(entry) <= limit else _cut(entry, limit))],
                 limit)


def _cut(text: str, limit: int) -> list[str]:
    lines = []
    for line in text.split("\n"):
        while len(line) > limit:
            lines.append(line[:limit])
            line = line[limit:]
        lines.append(line)
    return _pack(lines, limit)


def _pack(parts: list[str], limit: int) -> list[str]:
    """Consecutive parts joined by newlines into pieces of at most `limit` characters."""
    pieces, cur = [], ""
    for part in parts:
        if cur and len(cur) + 1 + len(part) > limit:
            pieces.append(cur)
            cur = part
        else:
            cur = f"{cur}\n{part}" if cur else part
    if cur:
        pieces.append(cur)
    return pieces


def _entries(lines: list[Line]) -> list[str]:
    """Each top-level line with the sub-lines under it, as mrkdwn."""
    out: list[str] = []
    for line in lines:
        text = "      " * line.indent + ("• " if line.indent == 0 else "◦ ") + _mrkdwn(line.spans)
        if line.indent and out:
            out[-1] += "\n" + text
        else:
            out.append(text)
    return out


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _chars(block: dict) -> int:
    if "text" in block:
        return len(block["text"].get("text", ""))
    return sum(len(e.get("text", "")) for e in block.get("elements", []))


def to_slack(d: dict, max_blocks: int = SLACK_MAX_BLOCKS, max_section: int = SLACK_MAX_SECTION,
             max_chars: int = SLACK_MAX_MESSAGE_CHARS) -> list[dict]:
    """Slack messages ({"text": fallback, "blocks": [...]}) in order; each within Slack's limits."""
    intro, secs = sections(d)
    title = title_of(d)
    blocks: list[dict] = []
    if intro:
        blocks += [_section(t) for t in _chunks([_mrkdwn(line.spans) for line in intro], max_section)]
    for s in secs:
        blocks.append({"type": "divider"})
        blocks += [_section(t) for t in _chunks([f"*{_slack_escape(s.title)}*"] + _entries(s.lines), max_section)]
    foot = [_mrkdwn(line.spans) for line in footer(d)]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": t}
                                                   for t in _chunks(foot, max_section)][:10]})
    groups: list[list[dict]] = [[]]
    size = 0
    for block in blocks:  # each message opens with a header (first) or a "continued" context block: one less
        chars = _chars(block)
        if groups[-1] and (len(groups[-1]) >= max_blocks - 1 or size + chars > max_chars):
            groups.append([])
            size = 0
        groups[-1].append(block)
        size += chars
    messages = []
    for n, group in enumerate(groups, 1):
        if n == 1:
            head = {"type": "header", "text": {"type": "plain_text", "text": title[:SLACK_MAX_HEADER], "emoji": False}}
        else:
            head = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{_slack_escape(title)} (continued, "
                                                                                f"{n}/{len(groups)})"}]}
        fallback = d["quiet_line"] if d["quiet"] else f"{title}: {_summary(d)}"
        messages.append({"text": fallback + (f" ({n}/{len(groups)})" if len(groups) > 1 else ""),
                         "blocks": [head] + group})
    return messages


def _summary(d: dict) -> str:
    parts = [f"{len(d[k])} {w}" for k, w in (("notices", "new notice(s)"), ("versions", "new version(s)"),
                                             ("transitions", "state change(s)"),
                                             ("interpretations", "interpretation(s)")) if d[k]]
    if d["products"]["changes"]:
        parts.append(f"{len(d['products']['changes'])} product verdict change(s)")
    return ", ".join(parts) or "nothing new"
