"""Crawl the mirror over HTTP across clock dates and check versions, changes and incremental behaviour."""

from __future__ import annotations

import json

from conftest import serve, settings_for

from tracker.crawl import Crawler
from tracker.store.repository import Store


def crawl_once(store, settings):
    crawler = Crawler(settings, store)
    try:
        return crawler.run()
    finally:
        crawler.close()


def test_crawl_across_clock_dates_finds_notices_versions_and_changes(home):
    with serve(clock="2025-04-10") as server, Store(home) as store:
        settings = settings_for(home, server.base_url)
        first = crawl_once(store, settings)
        assert first.failed == []
        ids = {n["id"] for n in store.notices()}
        # Everything published by 2025-04-10, identified by document number, never by URL:
        assert {"mofcom-gacc-2023-23", "mofcom-gacc-2023-39", "mofcom-most-2023-57", "mofcom-gacc-2024-33",
                "sc-decree-792", "mofcom-miit-gacc-sca-2024-51", "mofcom-2024-46", "mofcom-gacc-2025-10",
                "mofcom-gacc-2025-18"} <= ids
        assert "mofcom-gacc-2025-57" not in ids  # not yet published on that day
        n18 = store.notice("mofcom-gacc-2025-18")
        # same notice on two hosts plus the English page: one notice, one zh version, one en version
        hosts = {u["url"].split("/")[2] for u in n18["urls"]}
        assert hosts == {"www.mofcom.gov.cn", "aqygzj.mofcom.gov.cn", "english.mofcom.gov.cn"}
        assert n18["versions"] == {"zh": 1, "en": 1}
        assert n18["title_en"].startswith("MOFCOM GAC Announcement No. 18 of 2025")
        annex = n18["history"][0]["annexes"][0]
        assert annex["status"] == "parsed" and annex["pages"] >= 1

        # The exportcontrol copy of No. 51 (posted 2024-11-21) is the same notice, not a new one.
        n51 = store.notice("mofcom-miit-gacc-sca-2024-51")
        assert any("exportcontrol" in u["url"] for u in n51["urls"]) and n51["versions"]["zh"] == 1

        # Nothing changed: the second crawl parses nothing.
        second = crawl_once(store, settings)
        assert (second.new, second.changed, second.failed) == ([], [], [])
        assert second.parsed_pages == 0 and second.parsed_annex_pages == 0
        before = store.counts()

        # Advance the clock: the No. 18 annex is replaced at a new URL on 2025-04-20.
        server.mirror.clock = "2025-04-20"
        third = crawl_once(store, settings)
        assert third.new == [] and third.changed == ["mofcom-gacc-2025-18"]
        n18 = store.notice("mofcom-gacc-2025-18")
        assert n18["versions"] == {"zh": 2, "en": 2}
        zh = [v for v in n18["history"] if v["lang"] == "zh"]
        assert zh[0]["annexes"][0]["url"] != zh[1]["annexes"][0]["url"]
        assert store.counts()["version"] == before["version"] + 2

        # The October package arrives; No. 57 is also posted on exportcontrol a day later.
        server.mirror.clock = "2025-10-10"
        fourth = crawl_once(store, settings)
        assert {"mofcom-gacc-2025-55", "mofcom-gacc-2025-56", "mofcom-gacc-2025-57", "mofcom-gacc-2025-58",
                "mofcom-2025-61", "mofcom-2025-62"} <= set(fourth.new)
        n57 = store.notice("mofcom-gacc-2025-57")
        assert any("exportcontrol" in u["url"] for u in n57["urls"]) and n57["versions"] == {"zh": 1}


def test_removed_page_is_reported_once_and_never_a_repeal(home):
    with serve(clock="2025-02-20") as server, Store(home) as store:
        settings = settings_for(home, server.base_url)
        crawl_once(store, settings)
        aq = "https://aqygzj.mofcom.gov.cn/qdml/art/2024/art_b907a108e35945db9f8b04e1ed77b659.html"
        assert store.url_row(aq)["state"] == "ok"
        server.mirror.clock = "2025-03-01"
        report = crawl_once(store, settings)
        assert report.removed == [aq] and report.failed == []
        assert store.url_row(aq)["state"] == "removed"
        n33 = store.notice("mofcom-gacc-2024-33")
        assert n33["versions"] == {"zh": 1}  # the notice stands; only one of its copies is gone
        again = crawl_once(store, settings)
        assert again.removed == [] and again.failed == []


def test_legacy_gbk_page_without_charset_header_decodes(home):
    with serve(clock="2023-10-21") as server, Store(home) as store:
        crawl_once(store, settings_for(home, server.base_url))
        legacy = "https://aqygzj.mofcom.gov.cn/article/zcgz/202310/20231003448722.shtml"
        row = store.url_row(legacy)
        assert row is not None and row["notice_id"] == "mofcom-gacc-2023-39"
        raw = store.blobs.get(row["sha256"])
        assert b"charset=gb2312" in raw and "石墨".encode("gbk") in raw  # really GBK bytes on the wire
        page = store.page_parse(row["sha256"])
        assert "石墨" in page.title and page.number.id == "mofcom-gacc-2023-39"
        assert page.issued == "2023-10-20"


def test_english_page_is_a_language_variant_of_the_same_notice(home):
    with serve(clock="2025-11-08") as server, Store(home) as store:
        crawl_once(store, settings_for(home, server.base_url))
        for nid in ("mofcom-gacc-2025-18", "mofcom-2025-61", "mofcom-2025-62", "mofcom-gacc-2025-70"):
            notice = store.notice(nid)
            assert notice["languages"] == ["zh", "en"], nid
            en = store.version_page(nid, "en")
            assert en.lang == "en" and en.number.id == nid
        assert not any(n["id"].startswith("mofcom-gacc-2025-70-") for n in store.notices())


def test_tracker_follows_the_documents_not_code(home, mirror_copy):
    """Change a notice in a copy of the mirror: number, title and date stored follow the page."""
    page = mirror_copy / "sites/www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_e623090907fc4e1092f0a4db72f57b95.html"
    html = page.read_text("utf-8")
    assert "2025年第10号" in html
    page.write_text(html.replace("2025年第10号", "2025年第99号").replace("2025年02月04日", "2025年02月05日"), "utf-8")
    with serve(mirror_copy, clock="2025-02-06") as server, Store(home) as store:
        report = crawl_once(store, settings_for(home, server.base_url))
        assert "mofcom-gacc-2025-99" in report.new
        notice = store.notice("mofcom-gacc-2025-99")
        assert notice["issued"] == "2025-02-05" and "第99号" in notice["number"]
        # the untouched aqygzj copy still says No. 10: a separate notice, not merged by URL or title
        assert store.notice("mofcom-gacc-2025-10") is not None


def test_crawl_json_cli(home, capsys):
    from tracker.cli import main

    with serve(clock="2024-01-01") as server:
        code = main(["--home", str(home), "crawl", "--mirror", server.base_url, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and set(out["new"]) == {"mofcom-gacc-2023-23", "mofcom-gacc-2023-39", "mofcom-most-2023-57"}
    assert main(["--home", str(home), "notices", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["mofcom-gacc-2023-23", "mofcom-gacc-2023-39", "mofcom-most-2023-57"]
    assert all(set(r) >= {"id", "number", "title", "issuers", "issued", "urls", "versions", "languages"} for r in rows)
    assert main(["--home", str(home), "show", "mofcom-most-2023-57", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["issuers"] == ["mofcom", "most"] and shown["text"]["blocks"]
    assert main(["--home", str(home), "show", "mofcom-2099-1"]) == 1
    assert "no notice 'mofcom-2099-1'" in capsys.readouterr().err
