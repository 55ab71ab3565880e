"""Tests of `analysis.clean`: byte repair, normalisation, boilerplate rules, headers, agencies, dates, language."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import clean
from analysis.errors import ResourceError


# --- bytes and Unicode ------------------------------------------------------------------------------------------

def test_valid_utf8_is_untouched():
    assert clean.decode_bytes("Raqa – “caliphate”".encode("utf-8")) == ("Raqa – “caliphate”", 0)


def test_cp1252_bytes_are_repaired_and_counted():
    text, n = clean.decode_bytes("café, l’école".encode("cp1252"))
    assert text == "café, l’école" and n == 3


def test_undefined_byte_becomes_replacement_character():
    assert clean.decode_bytes(b"a \x81 b") == ("a \ufffd b", 1)


@pytest.mark.parametrize("raw, expected", [
    (b"He said \x95\x81Time is short.", 'He said "Time is short.'),
    (b"Copyright \x95\x81 2018 Example TV", "Copyright © 2018 Example TV"),
    (b"Syria\x95_s north", "Syria’s north"),
    (b"air strikes \x95_ monitor", "air strikes – monitor"),
    (b"Syria \x95_truce zone\x95_ today", 'Syria "truce zone" today'),
])
def test_fakes_style_byte_sequences(raw, expected):
    text, n = clean.decode_bytes(raw)
    assert text == expected and n == raw.count(b"\x95") + raw.count(b"\x81")


def test_utf16_with_bom_and_utf8_bom():
    assert clean.decode_bytes("Mosul".encode("utf-16")) == ("Mosul", 0)
    assert clean.decode_bytes(b"\xef\xbb\xbfMosul") == ("Mosul", 0)


def test_binary_detection():
    assert clean.looks_binary(b"\x00\x01\x02abc")
    assert not clean.looks_binary("plain text\nwith lines".encode())
    assert not clean.looks_binary("utf16".encode("utf-16"))


def test_normalize_text():
    raw = "  \u201cHello\u201d\u00a0world\u200b  \r\n\r\n it\u2019s   here \n"
    assert clean.normalize_text(raw) == "\"Hello\" world\nit's here"


# --- boilerplate ------------------------------------------------------------------------------------------------

def test_line_rules_and_audit():
    res = clean.clean_text("The story begins here.\nAdvertisement\nIt goes on.\nFollow us on Twitter")
    assert res.text == "The story begins here.\nIt goes on."
    assert res.removed == [("advertisement", "Advertisement"), ("share", "Follow us on Twitter")]


def test_tail_rule_removes_everything_after_but_never_the_first_paragraph():
    res = clean.clean_text("Lead paragraph.\nSecond paragraph.\nDisclaimer: syndicated feed.\nOur plans\nGold")
    assert res.text == "Lead paragraph.\nSecond paragraph."
    assert [r for r, _ in res.removed] == ["tail:disclaimer", "tail:disclaimer", "tail:disclaimer"]
    only = clean.clean_text("Disclaimer: this is the only paragraph of a strange article about rules.")
    assert only.text.startswith("Disclaimer")


def test_outlet_captured_from_disclaimer():
    res = clean.clean_text("Story.\nDisclaimer: No Example Times Journalist was involved in creation of this content")
    assert res.outlet == "Example Times" and res.text == "Story."


def test_paragraph_mentioning_subscriptions_is_kept():
    text = "Officials said that subscribers to the state channel could no longer watch it after the strike."
    assert clean.clean_text(text).text == text


def test_inline_rule_cuts_span_inside_paragraph():
    res = clean.clean_text("Fighting went on. Our Standards:The Thomson Reuters Trust Principles.")
    assert res.text == "Fighting went on."
    assert res.removed[0][0] == "fakes-reuters-standards"


@pytest.mark.parametrize("text, title, rest, date", [
    ("Wed 05 Apr 2017 Strikes hit the north. Victims were taken to hospital.", "Strikes hit the north",
     "Victims were taken to hospital.", "Wed 05 Apr 2017"),
    ("Fri 07 Apr 2017 at 0914 Strikes hit the north. Victims", "Strikes hit the north", "Victims", "Fri 07 Apr 2017"),
    ("Last updated at Apr 232017 An attack killed three.", "Attack kills three | Example Times",
     "An attack killed three.", "Apr 232017"),
    ("Strikes hit the north 6 October 2016 Aleppo SANA- Shells fell.", "Strikes hit the north",
     "Aleppo SANA- Shells fell.", "6 October 2016"),
    ("24.08.2013Get short URL 0 0 0 State media said", "x", "State media said", "24.08.2013"),
    ("Wednesday 07 December 2016 135 Civilians Killed. Activists said", "135 Civilians Killed",
     "Activists said", "Wednesday 07 December 2016"),
])
def test_leading_header_removed(text, title, rest, date):
    rules = clean.default_rules()
    got = clean.strip_header(text, clean.clean_title(title, rules), rules)
    assert got.rest == rest and got.date == date and got.header


def test_header_credit_gives_agency():
    rules = clean.default_rules()
    got = clean.strip_header("Suicide attack kills 32 AFP Monday 3 Oct 2016 A suicide bomber struck.",
                             "Suicide attack kills 32", rules)
    assert got.rest == "A suicide bomber struck." and got.credit == "AFP"
    assert clean.clean_text("Suicide attack kills 32 AFP Monday 3 Oct 2016 A suicide bomber struck.",
                            title="Suicide attack kills 32").header_credit == "AFP"


def test_no_header_in_ordinary_text():
    text = "Supported by the coalition, forces advanced on Monday."
    assert clean.strip_header(text, "Forces advance", clean.default_rules()).header is None


def test_clean_title():
    assert clean.clean_title("title: ISIL attack kills 50") == "ISIL attack kills 50"
    assert clean.clean_title("Strike kills 15 | Jordan Times") == "Strike kills 15"
    assert clean.clean_title("   ") is None


def test_user_rules_extend_and_disable(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text("version: 2\nline:\n  - name: share\n    enabled: false\n  - name: mine\n    pattern: 'Mine.*'\n")
    rules = clean.load_rules(f)
    res = clean.clean_text("Body text.\nShare this article\nMine and only mine", rules=rules)
    assert res.text == "Body text.\nShare this article"
    assert "r.yaml@2" in rules.version


@pytest.mark.parametrize("content, message", [
    ("line:\n  - name: x\n    pattern: 'a'\n", "version"),
    ("version: 1\nline:\n  - name: x\n    pattern: '(unclosed'\n", "invalid regular expression"),
    ("version: 1\nlines: []\n", "unknown section"),
    ("version: 1\nline: [\n", "cannot be read as YAML"),
])
def test_bad_user_rules_raise_resource_error(tmp_path, content, message):
    f = tmp_path / "bad.yaml"
    f.write_text(content)
    with pytest.raises(ResourceError, match=message):
        clean.load_rules(f)


# --- agency -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, agency, place", [
    ("MOSUL, Iraq (AFP) - Forces advanced.", "AFP", "MOSUL, Iraq"),
    ("WASHINGTON (Reuters) - The Pentagon said.", "Reuters", "WASHINGTON"),
    ("Forces advanced on Monday. - REUTERS", "Reuters", None),
    ("Forces advanced on Monday.--AFP", "AFP", None),
    ("AFP reporters in the city saw smoke.", "AFP", None),
    ("Aleppo SANA- Terrorists fired shells.", "SANA", "Aleppo"),
    ("ANKARA (Anadolu Agency) - Officials said.", "Anadolu", "ANKARA"),
    ("A spokesman told Reuters and AFP that talks went on.", None, None),
    ("Forces advanced (Reporting by A. Writer; Editing by B. Editor)", "Reuters", None),
])
def test_find_agency(text, agency, place):
    assert clean.find_agency(text) == (agency, place)


def test_dateline_outweighs_a_later_credit():
    assert clean.find_agency("BEIRUT (AFP) - Strikes hit.\nAn AFP reporter saw it. - REUTERS")[0] == "AFP"


# --- dates ------------------------------------------------------------------------------------------------------

def test_parse_dates_picks_one_format_per_column():
    us = clean.parse_dates(["4/5/2017", "12/31/2016", "1/2/2015"])
    assert us == [pd.Timestamp("2017-04-05"), pd.Timestamp("2016-12-31"), pd.Timestamp("2015-01-02")]
    dayfirst = clean.parse_dates(["4/5/2017", "31/12/2016", "25/1/2015"])
    assert dayfirst[0] == pd.Timestamp("2017-05-04")


@pytest.mark.parametrize("value, expected", [
    ("December 28, 2017 ", "2017-12-28"), ("2017-03-13T10:00:00+03:00", "2017-03-13"), ("13 March 2017", "2017-03-13"),
    ("Sun 16 Apr 2017", "2017-04-16"), ("", None), ("not a date", None), ("March 13", None), (None, None),
])
def test_parse_date_value(value, expected):
    got = clean.parse_date_value(value)
    assert got == (pd.Timestamp(expected) if expected else None)


@pytest.mark.parametrize("name, expected", [
    ("reuters_2017-03-13_mosul.txt", "2017-03-13"), ("20170313-story.txt", "2017-03-13"),
    ("000_966097eadba50043.txt", None), ("story_2017-13-45.txt", None), ("id20170313x.txt", None),
])
def test_date_from_filename(name, expected):
    assert clean.date_from_filename(name) == (pd.Timestamp(expected) if expected else None)


# --- language ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("The forces of the coalition said that the city was taken on Monday by the army.", "en"),
    ("Les forces de la coalition ont dit que la ville est prise par les soldats et par la police.", "fr"),
    ("قالت القوات إن المدينة سقطت يوم الاثنين", "ar"),
    ("Силы коалиции заявили, что город взят", "ru"),
    ("Kindle for PCをCtrl＋Alt＋Kのショートカットキーで立ち上がらなくする方法", "ja"),
    ("12 345 678", "und"),
    ("Mosul Raqa Aleppo Idlib", "und"),
])
def test_detect_lang(text, lang):
    assert clean.detect_lang(text) == lang


def test_long_repetitive_paragraphs_are_cleaned_in_linear_time():
    # regression: an unbounded `(?:\d+\s+)*` before a literal made this quadratic (minutes); now it is instant
    text = "1 " * 50_000 + "Tags x"
    assert clean.clean_text(text).text == text.strip()
    assert clean.find_agency("MOSUL, " * 20_000 + "(AFP) -")[0] == "AFP"


def test_many_bad_bytes_are_repaired_in_linear_time():
    # regression: re-decoding the rest of the input after each bad byte was quadratic (minutes for 1 MB)
    text, n = clean.decode_bytes(b"caf\xe9 " * 100_000)
    assert n == 100_000 and text.startswith("café café")
