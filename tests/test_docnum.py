"""Document numbers -> canonical ids: identity is the number, issuers in a fixed order, both languages."""

from __future__ import annotations

import pytest

from tracker.parse.docnum import parse_cn, parse_en


@pytest.mark.parametrize("text,expected", [
    ("商务部 海关总署公告2025年第18号", "mofcom-gacc-2025-18"),
    ("商务部公告2025年第61号", "mofcom-2025-61"),
    ("商务部 科技部公告2023年第57号", "mofcom-most-2023-57"),
    ("商务部 海关总署公告2025年第57号", "mofcom-gacc-2025-57"),
    ("商务部 工业和信息化部 海关总署 国家密码局公告2024年第51号", "mofcom-miit-gacc-sca-2024-51"),
    ("海关总署 商务部公告2024年第7号", "mofcom-gacc-2024-7"),
    ("国务院令第792号", "sc-decree-792"),
    ("商务部　海关总署公告 2025 年第 70 号", "mofcom-gacc-2025-70"),
])
def test_chinese_numbers(text, expected):
    assert parse_cn(text).id == expected


def test_the_two_no_57_never_merge():
    assert parse_cn("商务部 科技部公告2023年第57号").id != parse_cn("商务部 海关总署公告2025年第57号").id


def test_unnumbered_document_is_identified_by_issuers_and_date():
    number = parse_cn("商务部 海关总署公布《两用物项和技术进出口许可证管理目录》", issued="2025-12-31")
    assert number.form == "unnumbered" and number.id == "mofcom-gacc-20251231"
    assert parse_cn("商务部 海关总署公布目录") is None  # without a date there is no identity


@pytest.mark.parametrize("text,expected", [
    ("MOFCOM GAC Announcement No. 18 of 2025 on the Decision ...", "mofcom-gacc-2025-18"),
    ("MOFCOM Announcement No. 61 of 2025 on Export Controls", "mofcom-2025-61"),
    ("Announcement No. 70 of 2025 of the Ministry of Commerce and the General Administration of Customs",
     "mofcom-gacc-2025-70"),
    ("Announcement No. 57 [2023] of the Ministry of Commerce and the Ministry of Science and Technology",
     "mofcom-most-2023-57"),
])
def test_english_numbers(text, expected):
    assert parse_en(text).id == expected


def test_text_without_a_number():
    assert parse_cn("关于做好出口管制工作的通知") is None
    assert parse_en("Spokesperson remarks on export controls") is None
