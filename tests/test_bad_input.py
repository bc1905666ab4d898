"""Bad input, each over loopback: a one-line error naming the URL, the crawl goes on, nothing stored changes."""

from __future__ import annotations

import pytest
from conftest import serve, settings_for
from mirror_edit import (
    add_doc,
    hex_id,
    notice_page,
    pdf_cid_garbage,
    pdf_with_table,
    pdf_without_text,
    set_fault,
)

from tracker.crawl import Crawler
from tracker.store.repository import Store

WWW = "https://www.mofcom.gov.cn"
BASE_DAY, BAD_DAY = "2023-07-04", "2023-07-05"
N23 = f"{WWW}/zwgk/zcfb/art/2023/art_058cb83e"  # prefix of No. 23's www page in the mirror


def art(name: str) -> str:
    return f"{WWW}/zwgk/zcfb/art/2023/art_{hex_id(name)}.html"


def annex_url(name: str, ext: str = "pdf") -> str:
    return f"{WWW}/cms_files/filemanager/1000000001/attach/20237/{hex_id(name)}.{ext}"


def page_bytes(seq: int, annexes=(), **kw) -> bytes:
    number = f"商务部公告2023年第{seq}号"
    return notice_page(number, f"{number} 测试公告", "2023年07月05日",
                       ["一、测试条款。", "二、本公告自公布之日起正式实施。"], list(annexes), **kw).encode("utf-8")


def listed_page(root, name: str, data: bytes | None, seq: int, **kw) -> str:
    url = art(name)
    add_doc(root, url, data, published=BAD_DAY, title=f"商务部公告2023年第{seq}号", lists=["www-zcfb"], **kw)
    return url


def state(store: Store) -> list[tuple]:
    """Everything stored about notices, as comparable rows."""
    rows = []
    for table in ("notice", "version", "version_annex", "page_parse", "annex_parse"):
        rows += [(table, *tuple(r)) for r in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]  # noqa: S608
    return rows


def crawl(store, settings):
    crawler = Crawler(settings, store)
    try:
        return crawler.run()
    finally:
        crawler.close()


# Each case: (name, setup(root) -> url the error must name, expected words in the error, settings overrides)
def _404(root):
    return listed_page(root, "404", page_bytes(901), 901, fault="status:404")


def _410(root):
    return listed_page(root, "410", page_bytes(902), 902, fault="status:410")


def _500_always(root):
    return listed_page(root, "500", page_bytes(903), 903, fault="status:500")


def _timeout(root):
    return listed_page(root, "timeout", page_bytes(904), 904, fault="timeout:3")


def _reset(root):
    return listed_page(root, "reset", page_bytes(905), 905, fault="reset")


def _truncated(root):
    return listed_page(root, "truncated", page_bytes(906), 906, fault="truncate")


def _no_metadata(root):
    return listed_page(root, "nometa", page_bytes(907, fields=False), 907)


def _annex_case(root, name: str, seq: int, data: bytes | None, fault: str = ""):
    url = annex_url(name)
    add_doc(root, url, data, published=BAD_DAY, kind="annex", fault=fault)
    listed_page(root, name, page_bytes(seq, [(url.replace(WWW, ""), "1.清单.pdf")]), seq)
    return url


def _corrupt_pdf(root):
    return _annex_case(root, "corrupt", 908, pdf_with_table([["钐", "2805301910"]] * 30)[:700])


def _encrypted_pdf(root):
    return _annex_case(root, "encrypted", 909, pdf_with_table([["钐", "2805301910"]], encrypt="secret"))


def _oversized(root):
    return _annex_case(root, "oversize", 910, b"%PDF-1.4\n", fault="oversize:3000000")


def _redirect_off_host(root):
    return listed_page(root, "redirect", page_bytes(911), 911, fault="redirect:https://evil.example.com/x.html")


def _dotdot_annex(root):
    return listed_page(root, "dotdot", page_bytes(912, [("/cms_files/../../../etc/passwd.pdf", "1.清单.pdf")]), 912)


CASES = [
    ("404", _404, ["HTTP 404"], {}),
    ("410", _410, ["HTTP 410"], {}),
    ("500 every time", _500_always, ["HTTP 500", "attempts"], {}),
    ("timeout", _timeout, ["timed out"], {"timeout": 0.5}),
    ("connection reset", _reset, ["connection"], {}),
    ("truncated body", _truncated, ["truncated"], {}),
    ("page without the metadata fields", _no_metadata, ["no 【发布单位】"], {}),
    ("corrupt PDF", _corrupt_pdf, ["corrupt"], {}),
    ("encrypted PDF", _encrypted_pdf, ["encrypted"], {}),
    ("oversized response", _oversized, ["over the cap"], {"max_bytes": 1_000_000}),
    ("redirect to another host", _redirect_off_host, ["refused redirect", "evil.example.com"], {}),
    ("annex name with ../", _dotdot_annex, ["'..'"], {}),
]


@pytest.mark.parametrize("name,setup,words,extra", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_the_crawl_goes_on(name, setup, words, extra, mirror_copy, home):
    with serve(mirror_copy, BASE_DAY) as server, Store(home) as store:
        baseline = crawl(store, settings_for(home, server.base_url, **extra))
        assert baseline.failed == [] and baseline.new == ["mofcom-gacc-2023-23"]
        before = state(store)
    bad_url = setup(mirror_copy)
    good = listed_page(mirror_copy, "good", page_bytes(999), 999)  # a healthy notice published the same day
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url, **extra))
        assert len(report.failed) == 1, report.failed
        line = report.failed[0]
        assert "\n" not in line and bad_url in line, line
        for word in words:
            assert word in line, line
        assert report.new == ["mofcom-2023-999"], "the crawl went on to the next item"
        assert store.url_row(good)["notice_id"] == "mofcom-2023-999"
        after = state(store)
        assert [r for r in before if r not in after] == [], "nothing already stored changed"
        added_notices = [r[1] for r in after if r not in before and r[0] == "notice"]
        assert added_notices == ["mofcom-2023-999"], "the bad item stored no notice"


def test_500_then_200_is_retried_and_stored(mirror_copy, home):
    url = listed_page(mirror_copy, "flaky", page_bytes(920), 920, fault="flaky:500")
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url, retries=1))
        assert report.failed == [] and "mofcom-2023-920" in report.new
        assert server.mirror.hits[url] == 2


def test_reset_once_then_served_is_retried(mirror_copy, home):
    listed_page(mirror_copy, "reset-once", page_bytes(921), 921, fault="reset-once")
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url, retries=2))
        assert report.failed == [] and "mofcom-2023-921" in report.new


@pytest.mark.parametrize("charset", ["utf-8", ""], ids=["wrong charset header", "no charset at all"])
def test_gbk_page_with_wrong_or_missing_charset_is_detected(charset, mirror_copy, home):
    html = page_bytes(930, charset_meta="").decode("utf-8").replace("测试公告", "关于稀土金属出口管制的测试公告")
    url = listed_page(mirror_copy, f"gbk-{charset}", html.encode("gbk"), 930, charset=charset)
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url))
        assert report.failed == [] and "mofcom-2023-930" in report.new
        page = store.page_parse(store.url_row(url)["sha256"])
        assert "关于稀土金属出口管制的测试公告" in page.title


@pytest.mark.parametrize("maker,words", [(pdf_without_text, "no text layer"), (pdf_cid_garbage, "(cid:N)")],
                         ids=["PDF without text", "PDF with (cid:N) garbage"])
def test_pdf_needing_ocr_is_flagged_never_stored_as_empty(maker, words, mirror_copy, home):
    url = _annex_case(mirror_copy, f"ocr-{words}", 940, maker())
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url))
        assert len(report.failed) == 1 and url in report.failed[0] and words in report.failed[0]
        notice = store.notice("mofcom-2023-940")
        annex = notice["history"][0]["annexes"][0]
        assert annex["status"] == "needs_ocr" and annex["pages"] == 0 and "OCR" in annex["note"]


def test_existing_notice_keeps_its_version_when_its_page_starts_failing(mirror_copy, home):
    with serve(mirror_copy, BASE_DAY) as server, Store(home) as store:
        crawl(store, settings_for(home, server.base_url))
        before = state(store)
        www23 = next(u["url"] for u in store.notice("mofcom-gacc-2023-23")["urls"] if u["url"].startswith(N23))
    set_fault(mirror_copy, www23, "status:500")
    with serve(mirror_copy, BASE_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url))
        assert len(report.failed) == 1 and www23 in report.failed[0]
        assert state(store) == before


def test_non_pdf_annex_is_stored_raw_with_every_byte(mirror_copy, home):
    wps = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "附件1 相关稀土物项清单".encode("utf-16-le") * 20
    url = annex_url("wps-annex", "wps")
    add_doc(mirror_copy, url, wps, published=BAD_DAY, kind="annex")
    listed_page(mirror_copy, "wps", page_bytes(950, [(url.replace(WWW, ""), "1.相关稀土物项清单.wps")]), 950)
    with serve(mirror_copy, BAD_DAY) as server, Store(home) as store:
        report = crawl(store, settings_for(home, server.base_url))
        assert report.failed == []
        annex = store.notice("mofcom-2023-950")["history"][0]["annexes"][0]
        assert annex["ext"] == "wps" and annex["status"] == "raw" and annex["title"] == "相关稀土物项清单"
        assert store.blobs.get(annex["sha256"]) == wps


def test_broken_numbering_is_a_warning_naming_the_notice_and_still_stored(mirror_copy, home, capsys):
    from tracker.cli import main

    number = "商务部公告2023年第960号"
    html = notice_page(number, f"{number} 测试公告", "2023年07月05日",
                       ["一、第一条。", "三、跳过了第二条。", "1. 跳过了（一）层级。", "三、重复的编号。"]).encode()
    add_doc(mirror_copy, art("broken"), html, published=BAD_DAY, title=number, lists=["www-zcfb"])
    with serve(mirror_copy, BAD_DAY) as server:
        code = main(["--home", str(home), "crawl", "--mirror", server.base_url])
    err = capsys.readouterr().err
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning: mofcom-2023-960" in line]
    assert len(warnings) == 3 and any("skips a level" in w for w in warnings)
    with Store(home) as store:
        from tracker.understand import understand

        labels = [c.label for c in understand(store, "mofcom-2023-960").clauses if c.kind == "clause"]
    assert labels == ["1", "3", "3.1", "3~2"]
