"""Official interpretations (spokesperson Q&As, FAQs): crawled, versioned, their own kind, linked to the notices
they discuss, and never a source of provisions or states."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import walk

from tracker.regime import Regime
from tracker.store.repository import Store
from tracker.understand import understand, understand_all

TIMELINE = ["2025-06-01", "2025-10-20", "2025-11-20", "2025-12-15", "2026-03-01", "2026-11-10", "2026-11-20"]


def test_interpretations_are_their_own_kind_with_no_number(walked_home):
    with Store(walked_home) as store:
        interps = store.notices("interpretation")
        notices = store.notices("notice")
    assert len(interps) >= 8
    assert all(i["number"] == "" and i["id"].startswith("mofcom-interp-") for i in interps)
    assert not any("答记者问" in n["title"] or "常见问题" in n["title"] for n in notices)
    assert any("en" in i["languages"] and "zh" in i["languages"] for i in interps)  # English joins its Chinese


def test_same_remarks_on_two_hosts_are_one_document(walked_home):
    with Store(walked_home) as store:
        multi = [i for i in store.notices("interpretation") if len(i["urls"]) >= 2]
    assert multi, "remarks published on aqygzj and exportcontrol should be one document"
    hosts = {u["url"].split("/")[2] for u in multi[0]["urls"]}
    assert len(hosts) >= 2


def test_an_edited_faq_gets_a_new_version(walked_home):
    with Store(walked_home) as store:
        versioned = [i for i in store.notices("interpretation") if i["versions"].get("zh", 0) >= 2]
        assert versioned
        history = store.notice(versioned[0]["id"])["history"]
    days = [v["observed_on"] for v in history if v["lang"] == "zh"]
    assert days == sorted(days) and days[0] < days[-1]


def test_linked_to_the_notices_they_discuss_and_shown_under_them(walked_home, capsys):
    from tracker.cli import main

    with Store(walked_home) as store:
        regime = Regime(understand_all(store))
    linked = {rel.target for st in regime.interpretations.values() for rel in st.relations}
    assert {"mofcom-gacc-2025-18", "mofcom-2025-61", "mofcom-gacc-2025-70"} <= linked
    assert all(rel.kind == "discusses" for st in regime.interpretations.values() for rel in st.relations)
    assert main(["--home", str(walked_home), "show", "mofcom-gacc-2025-18", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["interpretations"] and all(i["id"].startswith("mofcom-interp-") for i in shown["interpretations"])
    assert any(c["label"] == "1.4" and "1C905" in c["text"] for c in shown["clauses"])  # labels printed
    interp = shown["interpretations"][0]["id"]
    assert main(["--home", str(walked_home), "show", interp]) == 0
    out = capsys.readouterr().out
    assert "official interpretation" in out and "discusses" in out
    assert main(["--home", str(walked_home), "notices", "--kind", "interpretation", "--json"]) == 0
    assert all(n["kind"] == "interpretation" for n in json.loads(capsys.readouterr().out))


def test_questions_and_answers_are_labelled(walked_home):
    with Store(walked_home) as store:
        qa = [understand(store, i["id"], "zh") for i in store.notices("interpretation") if "zh" in i["languages"]]
    labelled = [st for st in qa if st and any(c.label == "q1" for c in st.clauses)]
    assert labelled
    st = labelled[0]
    assert st.clause("q1").text.startswith("问") and st.clause("q1.a").text.startswith("答")
    assert not st.items and not st.effective


def test_interpretations_never_change_a_state(walked_home, mirror_copy, tmp_path):
    """Remove every interpretation page from a copy of the mirror: the state of every provision is unchanged."""
    manifest = mirror_copy / "manifest.toml"
    text = manifest.read_text("utf-8")
    blocks = text.split("[[doc]]")
    kept = blocks[:1] + [b for b in blocks[1:]
                         if not any(s in b for s in ("/zhxx/", "/gndt/", "/cjwt/", "/PressConference/"))]
    assert len(kept) < len(blocks)
    manifest.write_text("[[doc]]".join(kept), "utf-8")
    for sub in ("zhxx", "article/gndt", "article/cjwt"):
        for d in (mirror_copy / "sites").rglob(sub):
            shutil.rmtree(d, ignore_errors=True)
    home = tmp_path / "h"
    walk(mirror_copy, home)
    with Store(home) as store:
        assert not store.notices("interpretation")
        without = Regime(understand_all(store))
    with Store(walked_home) as store:
        with_interps = Regime(understand_all(store))
    assert with_interps.interpretations and not without.interpretations
    assert with_interps.horizon == without.horizon
    for day in TIMELINE:
        a = [s.as_dict() for s in with_interps.snapshot(day)]
        b = [s.as_dict() for s in without.snapshot(day)]
        assert a == b, day


def test_crawl_picks_them_up_as_the_clock_moves(tmp_path):
    home = tmp_path / "h"
    walk(Path(__file__).resolve().parent.parent / "corpus", home, until="2025-04-30")
    with Store(home) as store:
        early = {i["issued"] for i in store.notices("interpretation")}
    assert early and max(early) <= "2025-04-30"
    assert "2025-10-09" not in early


QUESTION = "电机转子组件是否属于商务部 海关总署公告2025年第18号的管制范围？"


def _ask(home: Path, question: str, as_of: str):
    from conftest import settings_for

    from tracker.answer.ask import Asker
    from tracker.embeddings import get_embedder
    from tracker.index.build import ensure_index

    with Store(home) as store:
        ensure_index(store, get_embedder("minilm"))
        return Asker(settings_for(home, embedder="minilm"), store).ask(question, as_of)


def test_an_answer_only_an_interpretation_holds_cites_it_with_its_label(indexed_home, mirror_copy, tmp_path):
    """The FAQ alone says motor rotor assemblies generally fall outside No. 18: the answer cites it, labelled;
    without the interpretations in the mirror, the answer no longer says so."""
    answer = _ask(indexed_home, QUESTION, "2025-06-01")
    cited = [c for c in answer.citations if c.notice.startswith("mofcom-interp-")]
    assert not answer.cannot_answer and cited
    assert "官方解读" in answer.answer and "深加工" in answer.answer
    manifest = mirror_copy / "manifest.toml"
    blocks = manifest.read_text("utf-8").split("[[doc]]")
    manifest.write_text("[[doc]]".join(blocks[:1] + [b for b in blocks[1:] if not any(
        s in b for s in ("/zhxx/", "/gndt/", "/cjwt/", "/PressConference/"))]), "utf-8")
    home = tmp_path / "h"
    walk(mirror_copy, home, until="2025-06-01")
    without = _ask(home, QUESTION, "2025-06-01")
    assert not any(c.notice.startswith("mofcom-interp-") for c in without.citations)
    assert "深加工" not in without.answer and "官方解读" not in without.answer
