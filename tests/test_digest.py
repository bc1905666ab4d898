"""The digest, its four renderings and the daily job, on the store that followed the mirror's timeline.

Every expectation below is a fact printed in the mirror's documents (numbers, titles, dates, the corrected
customs number, the suspension until 2026-11-10); the code under test holds none of them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import serve
from mirror_edit import set_fault

from tracker.cli import main
from tracker.embeddings import get_embedder
from tracker.publish.digest import build_digest, redline
from tracker.publish.render import render, to_slack
from tracker.store.repository import Store

SUSPENSION = "mofcom-gacc-2025-70"


@pytest.fixture(scope="module")
def digest_of(walked_home):
    cache: dict = {}

    def get(since: str, until: str | None = None) -> dict:
        key = (since, until or since)
        if key not in cache:
            with Store(walked_home) as store:
                cache[key] = build_digest(store, since, until or since, embedder=get_embedder("hash"))
        return cache[key]

    return get


def test_new_notice_has_bilingual_titles_source_links_and_the_states_it_changed(digest_of):
    d = digest_of("2025-11-07")
    [n] = d["notices"]
    assert n["id"] == SUSPENSION and n["issued"] == "2025-11-07"
    assert n["number"] == "商务部 海关总署公告2025年第70号"
    assert "暂停实施" in n["title"] and "Suspending" in n["title_en"]
    assert [link["lang"] for link in n["links"][:2]] == ["zh", "en"]
    assert all(link["url"].startswith("https://") and "mofcom.gov.cn" in link["url"] for link in n["links"])
    moved = {(t["notice"], t["provision"]): t for t in d["transitions"]}
    whole_61 = moved[("mofcom-2025-61", "*")]
    assert (whole_61["from"], whole_61["to"], whole_61["event"]) == ("in_force", "suspended", "suspended")
    assert moved[("mofcom-2025-61", "1.1")]["event"] == "suspended before taking effect"
    assert moved[(SUSPENSION, "*")]["event"] == "entered into force"
    assert any(x["notice"] == SUSPENSION and x["role"] == "suspends" and x["url"] for x in whole_61["determined_by"])
    assert not d["quiet"] and d["quiet_line"] == ""

    md = render(d, "md")
    assert "商务部 海关总署公告2025年第70号" in md and n["title_en"] in md
    assert f"]({n['links'][0]['url']})" in md  # a clickable source link
    assert "suspended before taking effect: **1.1, 1.2**" in md


def test_new_version_carries_a_redline_excerpt_of_the_corrected_customs_number(digest_of):
    d = digest_of("2025-02-12")
    [v] = d["versions"]
    assert (v["notice"], v["lang"], v["version"]) == ("mofcom-gacc-2025-10", "zh", 2)
    first = v["excerpt"][0]
    assert ["-", "2849920000"] in first["redline"] and ["+", "2849902000"] in first["redline"]
    assert first["citation"]["url"].endswith(".pdf")  # the annex the row is in
    assert "~~2849920000~~**2849902000**" in render(d, "md")
    html = render(d, "html")
    assert ">2849920000</del>" in html and ">2849902000</ins>" in html


def test_redline_keeps_codes_whole_and_trims_context():
    runs = redline("参考海关商品编号：2849920000。" + "其他" * 40, "参考海关商品编号：2849902000。" + "其他" * 40)
    assert ["-", "2849920000"] in runs and ["+", "2849902000"] in runs
    assert runs[-1][1].endswith("…") and len(runs[-1][1]) < 40
    hashes = redline("attach/4c5e2a1f0b9d.pdf", "attach/9e1d3c5b7a2f.pdf")
    assert sum(op != "=" for op, _ in hashes) == 2, hashes  # one replacement, not confetti
    assert redline("", "新增条款") == [["+", "新增条款"]] and redline("删去", "") == [["-", "删去"]]


def test_upcoming_uses_only_the_documents_known_on_the_last_day(digest_of):
    # On 2025-10-09 the four notices of that day take effect on 2025-11-08; the suspension of 2025-11-07
    # is not known yet, so the digest of that day must announce them.
    d = digest_of("2025-10-09")
    starting = {t["notice"] for t in d["upcoming"] if t["date"] == "2025-11-08" and t["provision"] == "*"}
    assert {"mofcom-gacc-2025-55", "mofcom-gacc-2025-56", "mofcom-gacc-2025-57", "mofcom-gacc-2025-58"} <= starting
    assert all(t["in_days"] == 30 and t["kind"] == "starts" for t in d["upcoming"] if t["date"] == "2025-11-08")
    # ... and a week after the suspension, nothing of theirs is due within 30 days
    later = digest_of("2025-11-14")
    assert not any(t["notice"] == "mofcom-gacc-2025-57" for t in later["upcoming"])


def test_a_suspension_ending_within_30_days_is_announced_with_its_open_boundary_day(digest_of):
    d = digest_of("2026-10-20")
    assert d["quiet"] and d["notices"] == [] and d["transitions"] == []
    ends = [t for t in d["upcoming"] if t["notice"] == "mofcom-gacc-2025-57" and t["provision"] == "*"]
    assert len(ends) == 1
    [t] = ends
    assert (t["date"], t["in_days"], t["from"], t["was_until"]) == ("2026-11-11", 22, "suspended", "2026-11-10")
    assert t["ambiguous"] and t["projected"]
    assert {x["notice"] for x in t["determined_by"]} == {"mofcom-gacc-2025-57", SUSPENSION}
    md = render(d, "md")
    assert "2026-11-11 (in 22 days)" in md and "whether 2026-11-10 itself is included" in md
    assert not any(t["date"] > "2026-11-19" for t in d["upcoming"])  # 30 days, no more


def test_a_quiet_day_says_so_in_one_line(digest_of):
    d = digest_of("2024-01-15")
    assert d["quiet"] and d["upcoming"] == []
    md = render(d, "md")
    assert [line for line in md.splitlines() if "Quiet" in line] == [
        "**Quiet: nothing was published or changed and no provision changed state on 2024-01-15.**"]
    assert "## " not in md
    [msg] = to_slack(d)
    assert msg["text"] == d["quiet_line"] and len(msg["blocks"]) <= 4
    busy = digest_of("2025-04-20")
    assert not busy["quiet"] and "Quiet" not in render(busy, "md")


def test_official_interpretations_new_and_changed(digest_of):
    [new] = digest_of("2025-11-13")["interpretations"]
    assert new["status"] == "new" and new["kind"] == "interpretation" and new["issued"] == "2025-11-13"
    assert "答记者问" in new["title"] and "Spokesperson" in new["title_en"]
    assert SUSPENSION in new["discusses"] and {link["lang"] for link in new["links"]} >= {"zh", "en"}
    [changed] = digest_of("2025-05-23")["interpretations"]
    assert changed["status"] == "changed" and changed["version"] == 2 and changed["issued"] == "2025-04-25"
    assert changed["excerpt"] and "mofcom-gacc-2025-18" in changed["discusses"]
    assert digest_of("2025-05-23")["versions"] == []  # an interpretation is not listed as a notice version
    md = render(digest_of("2025-11-13"), "md")
    assert "## Official interpretations (1)" in md and f"`{SUSPENSION}`, " in md


def test_products_whose_verdict_changed_with_the_notice_that_decides(walked_home):
    catalogue = Path(__file__).resolve().parents[1] / "examples" / "catalogue.csv"
    with Store(walked_home) as store:
        d = build_digest(store, "2025-04-04", "2025-04-04", embedder=get_embedder("hash"), catalogue=catalogue)
        quiet = build_digest(store, "2025-04-05", "2025-04-05", embedder=get_embedder("hash"), catalogue=catalogue)
    p = d["products"]
    assert p["configured"] and p["products"] > 10 and p["errors"] == []
    dy = next(c for c in p["changes"] if c["sku"] == "MAG-NDFEB-DY-01")
    assert (dy["date"], dy["from"], dy["to"]) == ("2025-04-04", "not_affected", "licence_likely")
    assert any(r["notice"] == "mofcom-gacc-2025-18" and r["label"].endswith("1C905.a") for r in dy["reasons"])
    assert "`MAG-NDFEB-DY-01` Sintered NdFeB magnet N48SH (Dy): ~~not affected~~ → **licence likely**" in render(d, "md")
    assert quiet["products"]["changes"] == [] and quiet["quiet"]


def test_json_is_the_digest_and_ranges_cover_every_day(digest_of):
    d = digest_of("2025-11-01", "2025-11-12")
    assert json.loads(render(d, "json")) == json.loads(json.dumps(d))
    assert [n["id"] for n in d["notices"]] == [SUSPENSION, "mofcom-2025-72"]
    assert [(v["notice"], v["lang"]) for v in d["versions"]] == [(SUSPENSION, "en")]
    assert {t["date"] for t in d["transitions"]} == {"2025-11-07", "2025-11-09"}


def test_slack_blocks_are_split_to_the_limits_and_lose_nothing(digest_of):
    d = digest_of("2023-01-01", "2026-12-31")  # every notice, version and state change of the timeline
    for max_blocks, max_section, max_chars in ((50, 3000, 12_000), (6, 700, 2000)):
        messages = to_slack(d, max_blocks, max_section, max_chars)
        assert all(len(m["blocks"]) <= max_blocks for m in messages)
        assert all(sum(len(b.get("text", {}).get("text", "")) for b in m["blocks"][1:]) <= max_chars
                   for m in messages)
        texts = [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"]
        assert all(0 < len(t) <= max_section for t in texts)
        joined = "\n".join(texts)
        for n in d["notices"]:
            assert f"`{n['id']}`" in joined  # every notice survives the split
        assert len(messages) >= 2
        if max_blocks == 6:
            assert len(messages) > 3 and "(continued, 2/" in json.dumps(messages[1]["blocks"][0])
    assert messages[0]["blocks"][0]["type"] == "header"


def test_html_is_one_self_contained_page_with_inline_styles(digest_of):
    html = render(digest_of("2025-11-07"), "html")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert "<script" not in html and "<link" not in html and "<style" not in html and "src=" not in html
    assert 'style="' in html and "<del" not in html.split("<h2")[0]
    assert "商务部 海关总署公告2025年第70号" in html and "Suspending" in html


def test_html_digest_renders_in_headless_chromium_as_a_non_blank_page(digest_of, tmp_path):
    from PIL import Image

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is needed for this test: apt-get install -y chromium (.ci/run does it)"
    page = tmp_path / "digest.html"
    page.write_text(render(digest_of("2025-11-07"), "html"), "utf-8")
    shot = tmp_path / "digest.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    "--window-size=800,1000", f"--screenshot={shot}", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    image = Image.open(shot).convert("RGB")
    assert image.size == (800, 1000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 100, "a blank or flat screenshot"
    ink = sum(count for count, rgb in colours if sum(rgb) < 600) / (800 * 1000)
    assert ink > 0.02, f"only {ink:.1%} of the page is text or colour"
    assert any(rgb == (127, 29, 29) for _, rgb in colours), "the header band (inline CSS) is not drawn"


# -- the command line --------------------------------------------------------------------------------------------
def test_digest_command_formats_and_bad_dates(walked_home, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_EMBEDDER", "hash")
    home = ["--home", str(walked_home)]
    assert main(["digest", "--date", "2025-11-07", "--json", *home]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["since"] == data["until"] == "2025-11-07" and data["notices"][0]["id"] == SUSPENSION
    assert main(["digest", "--since", "2025-02-01", "--until", "2025-02-28", "--format", "slack", *home]) == 0
    messages = json.loads(capsys.readouterr().out)
    assert messages[0]["blocks"][0]["type"] == "header" and "mofcom-gacc-2025-10" in json.dumps(messages)
    for bad, words in ((["--date", "2025-13-40"], "not a date"), (["--date", "2025-11-07", "--since", "2025-11-01"],
                                                                 "not both"),
                       (["--since", "2025-11-09", "--until", "2025-11-01"], "before it starts")):
        assert main(["digest", *bad, *home]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and words in err, err


# -- the daily job -----------------------------------------------------------------------------------------------
def test_run_crawls_digests_and_lists_a_failing_document_while_the_rest_completes(mirror_copy, tmp_path, capsys,
                                                                                  monkeypatch):
    monkeypatch.setenv("TRACKER_EMBEDDER", "hash")
    home = tmp_path / "home"
    broken = "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_5c68985a6b1a46778e2e8dbff1bb1601.html"  # No. 72
    set_fault(mirror_copy, broken, "status:404")
    with serve(mirror_copy, "2025-11-07") as server:
        common = ["--home", str(home), "--mirror", server.base_url, "--no-send"]
        assert main(["run", "--date", "2025-11-07", *common]) == 0
        first = capsys.readouterr()
        server.mirror.clock = "2025-11-09"
        code = main(["run", "--date", "2025-11-09", "--json", *common])
        second = capsys.readouterr()
        looped = main(["watch", "--every", "0.1s", "--runs", "2", *common])
        loop = capsys.readouterr()
        assert main(["watch", "--every", "soon", *common]) == 1
        assert capsys.readouterr().err.strip() == ("tracker: error: --every 'soon': give a duration such as 24h, 30m, "
                                                   "90s or 1d")
    assert "mofcom-gacc-2025-70" in first.out and "Suspending" in first.out  # the digest of the day, printed
    assert "failure" not in first.err
    assert (home / "publish" / "digests" / "2025-11-07.html").exists()
    report = json.loads(second.out)
    assert code == 1, "a failed document makes the exit code non-zero"
    assert report["since"] == "2025-11-08", "the digest starts the day after the last run"
    assert [f["document"] for f in report["failures"]] == [broken]
    assert "404" in report["failures"][0]["error"] and "! crawl: " in second.err
    assert "index: rebuilt" in first.err and report["stages"]["index"]["rebuilt"] is False  # nothing new to embed
    assert report["digest"]["quiet"] and Path(report["stages"]["digest"]["files"][0]).exists()
    with Store(home) as store:
        assert store.notice("mofcom-gacc-2025-70") is not None and store.notice("mofcom-2025-72") is None
    # `tracker watch`: the same run in a loop; the page still fails, so each run says so and the loop goes on
    assert looped == 1 and loop.err.count("tracker run ") == 2 and loop.err.count("! crawl: ") == 2
    assert "next run in" in loop.err
