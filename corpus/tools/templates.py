"""Page shapes of the MOFCOM hosts (mofcom-site.md B.2-B.6), filled from a corpus source."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

PORTAL_HEAD = """<div class="header"><div class="logo"><a href="/">中华人民共和国商务部</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/zwgk/zcfb/index.html">政策发布</a></li><li><a href="/xwfb/index.html">新闻发布</a></li></ul></div>"""
PORTAL_FOOT = """<div class="footer"><p>主办单位：中华人民共和国商务部 | 网站标识码：bm22000001</p><p>京ICP备05004487号 京公网安备11040102700091号</p></div>"""


def cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}年{m}月{d}日"


def _paragraphs(body: str, indent: bool = True) -> str:
    style = ' style="text-indent:2em;"' if indent else ""
    return "\n".join(f"<p{style}>{escape(line.strip())}</p>" for line in body.splitlines() if line.strip())


def _annex_html(annex_links, page_url: str, lang: str) -> str:
    if not annex_links:
        return ""
    host = urlsplit(page_url).netloc
    items = []
    for n, title, url in annex_links:
        parts = urlsplit(url)
        href = parts.path if parts.netloc == host else url
        ext = parts.path.rsplit(".", 1)[-1]
        label = f"{n}.{title}.{ext}" if lang == "zh" else f"Annex {n}: {title}"
        items.append(f'<p><a href="{escape(href)}" target="_blank">{escape(label)}</a></p>')
    head = "<p>附件：</p>" if lang == "zh" else "<p>Annexes:</p>"
    return head + "\n" + "\n".join(items)


def _strip_annex_line(body: str) -> str:
    """The body's last line may announce the annexes ("附件：..."); the links block replaces it."""
    lines = body.rstrip().splitlines()
    if lines and re.match(r"^\s*(附件[:：]|Annex(es)?[:：])", lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines)


def _signature(lines: list[str]) -> str:
    return "\n".join(f'<p style="text-align:right;">{escape(s)}</p>' for s in lines)


def _gonggao(doc: dict, legacy: bool = False) -> list[str]:
    date_label = "【发布日期】" if legacy else "【发文日期】"
    fields = [f"【发布单位】{doc['unit']}"]
    if doc.get("number"):
        fields.append(f"【发布文号】{doc['number']}")
    fields.append(f"{date_label}{cn_date(doc['date'])}")
    return fields


def render_page(layout: str, doc: dict, url: str, annex_links, published: str) -> bytes:
    render = {"www": _www, "fms": _www, "aqygzj": _aqygzj, "aqygzj-legacy": _legacy,
              "exportcontrol": _exportcontrol, "english": _english}[layout]
    return render(doc, url, annex_links, published)


def _www(doc, url, annex_links, published) -> bytes:
    title = escape(doc["title"])
    stamp = f"{published} {doc.get('time', '09:00')}"
    body = _strip_annex_line(doc["body"])
    gonggao = "".join(f"<p>{escape(f)}</p>" for f in _gonggao(doc))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{stamp}">
<meta name="ContentSource" content="{escape(doc.get('source', ''))}">
<meta name="Keywords" content="出口管制">
<meta name="ColumnName" content="政策发布">
<title>{title}_商务部网站</title>
</head>
<body>
{PORTAL_HEAD}
<div class="crumbs">首页 &gt; 政务公开 &gt; 政策发布</div>
<div class="art-title"><h1>{title}</h1>
<div class="art-info"><span>来源：{escape(doc.get('source', ''))}</span> <span>类型：{escape(doc.get('type', '原创'))}</span> <span>{stamp}</span></div>
</div>
<div ergodic="article" class="art-con art-con-bottonmLine">
<div class="art-con-gonggao">{gonggao}</div>
{_paragraphs(body)}
{_signature(doc.get('signature', []))}
{_annex_html(annex_links, url, 'zh')}
</div>
<div class="art-share">分享到：</div>
{PORTAL_FOOT}
</body>
</html>
"""
    return page.encode("utf-8")


def _aqygzj(doc, url, annex_links, published) -> bytes:
    """The bureau's sub-site: same CMS family, other class names, bracketed fields as plain paragraphs."""
    title = escape(doc["title"])
    fields = "\n".join(f"<p>{escape(f)}</p>" for f in _gonggao(doc))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{published} {doc.get('time', '09:00')}">
<title>{title}-安全与管制局</title>
</head>
<body>
<div class="top"><a href="/">商务部产业安全与进出口管制局</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; 法律政策 &gt; 规章及规范性文件</div>
<div class="article">
<h2 class="article-title">{title}</h2>
<div class="article-info">来源：{escape(doc.get('source', ''))}　类型：{escape(doc.get('type', '原创'))}　发布时间：{published}</div>
<div class="TRS_Editor">
{fields}
{_paragraphs(_strip_annex_line(doc["body"]))}
{_signature(doc.get('signature', []))}
{_annex_html(annex_links, url, 'zh')}
</div>
</div>
<div class="bottom">商务部产业安全与进出口管制局 版权所有</div>
</body>
</html>
"""
    return page.encode("utf-8")


def _legacy(doc, url, annex_links, published) -> bytes:
    """Pre-redesign page: GB2312 declared in a meta tag only, 【发布日期】, 文章来源/文章类型/内容分类."""
    title = escape(doc["title"])
    fields = "\n".join(f"<p>{escape(f)}</p>" for f in _gonggao(doc, legacy=True))
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}</title>
</head>
<body>
<div class="artTitle"><h3>{title}</h3>
<p class="artInfo">文章来源：{escape(doc.get('source', ''))}&nbsp;&nbsp;文章类型：{escape(doc.get('type', '原创'))}&nbsp;&nbsp;内容分类：政策&nbsp;&nbsp;{published}</p></div>
<div class="artCon" id="zoom">
{fields}
{_paragraphs(_strip_annex_line(doc["body"]))}
{_signature(doc.get('signature', []))}
{_annex_html(annex_links, url, 'zh')}
</div>
</body>
</html>
"""
    return page.encode("gbk")


def _js(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _exportcontrol(doc, url, annex_links, published) -> bytes:
    """exportcontrol.mofcom.gov.cn: a JS-templated frame; title and date only in script variables."""
    article_id = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    fields = "\n".join(f"<p>{escape(f)}</p>" for f in _gonggao(doc))
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>中国出口管制信息网</title>
<script type="text/javascript">
var title = '{_js(doc["title"])}';
var source = '{_js(doc.get("source", "商务部"))}';
var articleType = '{_js(doc.get("type", "原创"))}';
var infoType = '政策法规';
var publishTime = '{published} {doc.get("time", "09:00")}:00';
var articleId = '{article_id}';
</script>
</head>
<body>
<div class="g-top"><a href="/">中国出口管制信息网</a></div>
<div class="m-art">
<div class="hd"><h2 id="artTitle"></h2><p class="info"><span id="artSource"></span><span id="artTime"></span></p></div>
<script type="text/javascript">document.getElementById('artTitle').innerHTML = title;</script>
<div class="bd">
{fields}
{_paragraphs(_strip_annex_line(doc["body"]))}
{_signature(doc.get('signature', []))}
{_annex_html(annex_links, url, 'zh')}
</div>
<div class="u-disclaimer-box">免责声明：本网站所载文章仅供参考。</div>
<div class="u-art-box-footer">主办：商务部产业安全与进出口管制局</div>
</div>
</body>
</html>
"""
    return page.encode("utf-8")


def _english(doc, url, annex_links, published) -> bytes:
    title = escape(doc["title"])
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{published} 18:00">
<meta name="ContentSource" content="MOFCOM">
<title>{title}</title>
</head>
<body>
<div class="header"><a href="/">Ministry of Commerce of the People's Republic of China</a></div>
<div class="crumbs">Home &gt; Policies &gt; Announcements &amp; Orders</div>
<div class="art-title"><h1>{title}</h1>
<div class="art-info"><span>Source: MOFCOM</span> <span>{published} 18:00</span></div></div>
<div ergodic="article" class="art-con">
{_paragraphs(_strip_annex_line(doc["body"]), indent=False)}
{_signature(doc.get('signature', []))}
{_annex_html(annex_links, url, 'en')}
</div>
<div class="footer">Copyright Ministry of Commerce of the People's Republic of China</div>
</body>
</html>
"""
    return page.encode("utf-8")
