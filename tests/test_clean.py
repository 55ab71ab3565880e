"""Tests of `analysis.clean`: byte repair, normalisation, boilerplate rules, headers, agencies, dates, language."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import clean
from analysis.errors import ResourceError

# --- bytes and Unicode ------------------------------------------------------------------------------------------


def test_valid_utf8_is_untouched():
    assert clean.decode_bytes("Raqa – “caliphate”".encode()) == ("Raqa – “caliphate”", 0)


def test_cp1252_bytes_are_repaired_and_counted():
    text, n = clean.decode_bytes("café, l’école".encode("cp1252"))
    assert text == "café, l’école" and n == 3


def test_undefined_byte_becomes_replacement_character():
    assert clean.decode_bytes(b"a \x81 b") == ("a \ufffd b", 1)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"He said \x95\x81Time is short.", 'He said "Time is short.'),
        (b"Copyright \x95\x81 2018 Example TV", "Copyright © 2018 Example TV"),
        (b"Syria\x95_s north", "Syria’s north"),
        (b"air strikes \x95_ monitor", "air strikes – monitor"),
        (b"Syria \x95_truce zone\x95_ today", 'Syria "truce zone" today'),
    ],
)
def test_fakes_style_byte_sequences(raw, expected):
    text, n = clean.decode_bytes(raw)
    assert text == expected and n == raw.count(b"\x95") + raw.count(b"\x81")


def test_utf16_with_bom_and_utf8_bom():
    assert clean.decode_bytes("Mosul".encode("utf-16")) == ("Mosul", 0)
    assert clean.decode_bytes(b"\xef\xbb\xbfMosul") == ("Mosul", 0)


def test_binary_detection():
    assert clean.looks_binary(b"\x00\x01\x02abc")
    assert not clean.looks_binary(b"plain text\nwith lines")
    assert not clean.looks_binary("utf16".encode("utf-16"))


def test_normalize_text():
    raw = "  \u201cHello\u201d\u00a0world\u200b  \r\n\r\n it\u2019s   here \n"
    assert clean.normalize_text(raw) == '"Hello" world\nit\'s here'


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


@pytest.mark.parametrize(
    "text, title, rest, date",
    [
        (
            "Wed 05 Apr 2017 Strikes hit the north. Victims were taken to hospital.",
            "Strikes hit the north",
            "Victims were taken to hospital.",
            "Wed 05 Apr 2017",
        ),
        (
            "Fri 07 Apr 2017 at 0914 Strikes hit the north. Victims",
            "Strikes hit the north",
            "Victims",
            "Fri 07 Apr 2017",
        ),
        (
            "Last updated at Apr 232017 An attack killed three.",
            "Attack kills three | Example Times",
            "An attack killed three.",
            "Apr 232017",
        ),
        (
            "Strikes hit the north 6 October 2016 Aleppo SANA- Shells fell.",
            "Strikes hit the north",
            "Aleppo SANA- Shells fell.",
            "6 October 2016",
        ),
        ("24.08.2013Get short URL 0 0 0 State media said", "x", "State media said", "24.08.2013"),
        (
            "Wednesday 07 December 2016 135 Civilians Killed. Activists said",
            "135 Civilians Killed",
            "Activists said",
            "Wednesday 07 December 2016",
        ),
    ],
)
def test_leading_header_removed(text, title, rest, date):
    rules = clean.default_rules()
    got = clean.strip_header(text, clean.clean_title(title, rules), rules)
    assert got.rest == rest and got.date == date and got.header


def test_header_credit_gives_agency():
    rules = clean.default_rules()
    got = clean.strip_header(
        "Suicide attack kills 32 AFP Monday 3 Oct 2016 A suicide bomber struck.", "Suicide attack kills 32", rules
    )
    assert got.rest == "A suicide bomber struck." and got.credit == "AFP"
    assert (
        clean.clean_text(
            "Suicide attack kills 32 AFP Monday 3 Oct 2016 A suicide bomber struck.", title="Suicide attack kills 32"
        ).header_credit
        == "AFP"
    )


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


@pytest.mark.parametrize(
    "content, message",
    [
        ("line:\n  - name: x\n    pattern: 'a'\n", "version"),
        ("version: 1\nline:\n  - name: x\n    pattern: '(unclosed'\n", "invalid regular expression"),
        ("version: 1\nlines: []\n", "unknown section"),
        ("version: 1\nline: [\n", "cannot be read as YAML"),
    ],
)
def test_bad_user_rules_raise_resource_error(tmp_path, content, message):
    f = tmp_path / "bad.yaml"
    f.write_text(content)
    with pytest.raises(ResourceError, match=message):
        clean.load_rules(f)


# --- agency -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, agency, place",
    [
        ("MOSUL, Iraq (AFP) - Forces advanced.", "AFP", "MOSUL, Iraq"),
        ("WASHINGTON (Reuters) - The Pentagon said.", "Reuters", "WASHINGTON"),
        ("Forces advanced on Monday. - REUTERS", "Reuters", None),
        ("Forces advanced on Monday.--AFP", "AFP", None),
        ("AFP reporters in the city saw smoke.", "AFP", None),
        ("Aleppo SANA- Terrorists fired shells.", "SANA", "Aleppo"),
        ("ANKARA (Anadolu Agency) - Officials said.", "Anadolu", "ANKARA"),
        ("A spokesman told Reuters and AFP that talks went on.", None, None),
        ("Forces advanced (Reporting by A. Writer; Editing by B. Editor)", "Reuters", None),
    ],
)
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


@pytest.mark.parametrize(
    "value, expected",
    [
        ("December 28, 2017 ", "2017-12-28"),
        ("2017-03-13T10:00:00+03:00", "2017-03-13"),
        ("13 March 2017", "2017-03-13"),
        ("Sun 16 Apr 2017", "2017-04-16"),
        ("", None),
        ("not a date", None),
        ("March 13", None),
        (None, None),
    ],
)
def test_parse_date_value(value, expected):
    got = clean.parse_date_value(value)
    assert got == (pd.Timestamp(expected) if expected else None)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("reuters_2017-03-13_mosul.txt", "2017-03-13"),
        ("20170313-story.txt", "2017-03-13"),
        ("000_966097eadba50043.txt", None),
        ("story_2017-13-45.txt", None),
        ("id20170313x.txt", None),
    ],
)
def test_date_from_filename(name, expected):
    assert clean.date_from_filename(name) == (pd.Timestamp(expected) if expected else None)


def test_long_repetitive_paragraphs_are_cleaned_in_linear_time():
    # regression: an unbounded `(?:\d+\s+)*` before a literal made this quadratic (minutes); now it is instant
    text = "1 " * 50_000 + "Tags x"
    assert clean.clean_text(text).text == text.strip()
    assert clean.find_agency("MOSUL, " * 20_000 + "(AFP) -")[0] == "AFP"


def test_many_bad_bytes_are_repaired_in_linear_time():
    # regression: re-decoding the rest of the input after each bad byte was quadratic (minutes for 1 MB)
    text, n = clean.decode_bytes(b"caf\xe9 " * 100_000)
    assert n == 100_000 and text.startswith("café café")


# --- inline furniture of flattened scrapes (rules version 2; texts written for these tests) ---------------------

_TRT_TAIL = (
    "Source TRTWorld and agencies Related News Ministers meet in Geneva | A film festival opens Category News "
    "Storm hits the coast A picture is worth a thousand words. Follow us on Instagram. FOLLOW TRTWORLD Dont "
    "miss out on the Latest News We wont spam you and we respect your privacy. SUBSCRIBE TRT World on Youtube "
    "Connect with TRT World iOS Android Contact Us Legal Terms of Use Privacy Policy Cookie Policy"
)


@pytest.mark.parametrize(
    "text, rules, kept",
    [
        (
            "Shelling hit the town on Monday. " + _TRT_TAIL,
            {"source-line", "trt-site-footer"},
            "Shelling hit the town on Monday.",
        ),
        (
            "Rescuers dig in the rubble of Town X on May 2 2016 (TRT World and Agencies) Fighting resumed at dawn.",
            {"photo-caption", "photo-credit"},
            "Fighting resumed at dawn.",
        ),
        # a sentence before a credit that does not end with the picture's date may be the standfirst: only the credit goes
        (
            "Dozens of civilians were killed as they fled the city. (TRT World and Agencies) The toll rose.",
            {"photo-credit"},
            "Dozens of civilians were killed as they fled the city. The toll rose.",
        ),
        (
            "Jets struck at dawn. A man walks past a damaged shop in Town X Syria June 5 2016. (TRT World and Agencies) "
            "The toll rose to nine.",
            {"photo-caption", "photo-credit"},
            "Jets struck at dawn. The toll rose to nine.",
        ),
        (
            "A market was hit (AFP Photo) and traders fled. A boy is carried (Photo AP) to safety.",
            {"photo-credit"},
            "A market was hit and traders fled. A boy is carried to safety.",
        ),
        (
            "The toll rose to 12. Jets strike market in Town X Jane Roe reports - YouTube The monitor said more died.",
            {"youtube-title"},
            "The toll rose to 12. The monitor said more died.",
        ),
        (
            'Aid was blocked. "Gas attack" kills 20 in Town Y - YouTube Talks resumed.',
            {"youtube-title"},
            "Aid was blocked. Talks resumed.",
        ),
        (
            "Aid arrived. Convoy enters the town today httpst.coAbC123xyz pic.twitter.comQwE456rty Relief Agency (ReliefAg) "
            "July 27 2016 The convoy left at noon.",
            {"tweet-embed"},
            "Aid arrived. Convoy enters the town today The convoy left at noon.",
        ),
        (
            "Schools closed. Rockets fell on the capital Jane Roe (janeroe) February 5 2015 Shops reopened later.",
            {"tweet-embed"},
            "Schools closed. Rockets fell on the capital Shops reopened later.",
        ),
        (
            "Jets hit a clinic, the monitor said. Tags Syria Idlib airstrikes Russia At least 9 people were killed on "
            "Monday in strikes on a clinic.",
            {"tag-list"},
            "Jets hit a clinic, the monitor said. At least 9 people were killed on Monday in strikes on a clinic.",
        ),
        (
            "Fighting went on. Tags Aleppo regime forces the Nusra Front Syrian troops and militias repelled an attack.",
            {"tag-list"},
            "Fighting went on. Syrian troops and militias repelled an attack.",
        ),
        (
            "Clashes went on. Tags Syria Homs Intense Government air raids in the north killed four.",
            {"tag-list"},
            "Clashes went on. Government air raids in the north killed four.",
        ),
        ("Talks failed on Friday. Read Also", {"read-also"}, "Talks failed on Friday."),
        (
            "The group retreated. ... 312 Topic War in the Region (1881) Related Blast Hits Checkpoint - Reports Talks "
            "Stall in Geneva",
            {"sputnik-related"},
            "The group retreated.",
        ),
        (
            "The army said it would respond. Reporting by Jane Roe; Editing by John Doe",
            {"credit-line"},
            "The army said it would respond.",
        ),
        (
            '"We will win," he said. (Additional reporting by Jane Roe in Beirut; Editing by John Doe) SAP is the sponsor '
            "of this coverage which is independently produced by the staff of Example News.",
            {"credit-line", "sponsor-note"},
            '"We will win," he said.',
        ),
        ("Shelling went on. (Source: Syrian Coalition's Media Office) Twitter", {"source-line"}, "Shelling went on."),
        ("Shops reopened. 12 MoreImage", {"image-counter"}, "Shops reopened."),
        ("Shells hit two houses. J. Doe/ Rana / Sami al-Haddad", {"staff-signature"}, "Shells hit two houses."),
        ("The army advanced further. ABC 11", {"staff-signature"}, "The army advanced further."),
    ],
)
def test_inline_furniture_rules(text, rules, kept):
    res = clean.clean_text(text)
    assert res.text == kept
    assert {r for r, _ in res.removed} == rules
    assert all(span in text for _, span in res.removed)  # every span is recorded verbatim


@pytest.mark.parametrize(
    "text",
    [
        # prose that merely mentions the furniture words
        "Activists posted a video on YouTube showing the raids. The Twitter account of the group said so.",
        "The council tags the report as urgent and the army said it would respond.",
        "Officials said the text was subject to editing by the censors before broadcast.",
        "He wrote the statement; reporting by local media could not be confirmed.",
        "The mission said a picture is worth more than a report and published photos of the damage.",
        "Related news agencies said the town fell. Source: residents.",
        # a final sentence after an abbreviation, and a closing agency source line, are not signatures
        "The vote was held at the U.N. Security Council",
        "Strikes hit the town on Monday. Source AFP",
        # a tag list whose end cannot be found (no sentence start within 25 words) is left alone
        "Tags " + " ".join(f"Place{i}" for i in range(30)) + " strikes were reported.",
    ],
)
def test_inline_furniture_rules_leave_prose(text):
    res = clean.clean_text(text)
    assert res.text == text and res.removed == []


def test_flat_only_rule_skips_texts_with_paragraphs():
    flat = "Shells hit two houses. Hazem Doe"
    assert clean.clean_text(flat).text == "Shells hit two houses."
    para = "Final score of the match. Rockledge\nSecond paragraph of the report."
    assert clean.clean_text(para).text == para and clean.clean_text(para).removed == []


def test_credit_line_is_fallback_agency_evidence():
    res = clean.clean_text("Strikes hit the city. Reporting by Jane Roe; Editing by John Doe")
    assert res.header_credit == "Reuters" and "Reporting" not in res.text
    assert clean.clean_text("Strikes hit the city.").header_credit is None


def test_source_line_naming_an_agency_credits_it():
    assert clean.find_agency("Strikes hit the city on Monday. Source AA") == ("Anadolu", None)
    assert clean.find_agency("The source AA said nothing.") == (None, None)


def test_rules_version_is_bumped_for_the_inline_furniture():
    assert int(clean.default_rules().version.split("+")[0]) >= 2
    assert int(clean.load_agencies().version.split("+")[0]) >= 2


def _without_requires(rules: clean.Rules) -> clean.Rules:
    import dataclasses

    return dataclasses.replace(
        rules, inline=[dataclasses.replace(r, requires=(), last_words=None) for r in rules.inline]
    )


def test_requires_only_skips_paragraphs_the_rule_cannot_match(fakes_csv, reuters_csv):
    """`requires:` prefilters change no output: every FA-KES and Reuters-ISOT text (and the written examples
    that each such rule cuts) cleans to the same result with and without them."""
    from analysis.readers import ReadContext, table

    rules = clean.default_rules()
    assert sum(bool(r.requires) for r in rules.inline) >= 6
    texts = [
        "Crowds gathered in the square. (Source: Syrian Coalition's Media Office) Twitter",
        "Fighting resumed on Monday near the airport, witnesses said. Shelling on Aleppo May 4 2016. (AFP Photo) More",
        "Footage shows the blast at the market - YouTube and the aftermath.",
        "The clip was posted on Monday by the rescuers. - YouTube",  # a label without a title before it
        "Officials confirmed the toll. pic.twitter.com/AbC123 Jane Doe (@jdoe) May 4 2016 and more text followed.",
        "SAP is the sponsor of this coverage and had no say. The talks went on.",
        "The convoy reached the town on Tuesday, residents said. Ahmed al-Khatib / Sara Levin",
        # the longest signature the rule allows (6 names, 5 lone slashes, a number) after a long paragraph
        "Talks resumed in the capital on Sunday after a pause of several weeks, and both delegations said they "
        "expected progress. Omar / al-Najjar / R. / Hana / Yusuf / Dara 12-4",
    ]
    for path in (fakes_csv, reuters_csv):
        data = path.read_bytes()
        ctx = ReadContext("x", rules, {}, [], fmt="csv", kind="csv")
        texts += [r.text for r in table.read_table_file(str(path), data, ctx)]
    plain = _without_requires(rules)
    cut = set()
    for text in texts:
        fast, slow = clean.clean_text(text, rules=rules), clean.clean_text(text, rules=plain)
        assert fast == slow
        cut.update(name for name, _ in slow.removed)
    assert {r.name for r in rules.inline if r.requires or r.last_words} <= cut  # each prefiltered rule really fired
    signed = clean.clean_text(texts[7], rules=rules)
    assert signed.removed == [("staff-signature", "Omar / al-Najjar / R. / Hana / Yusuf / Dara 12-4")]
    import dataclasses

    too_few = [dataclasses.replace(r, last_words=11) if r.last_words else r for r in rules.inline]
    assert clean.clean_text(texts[7], rules=dataclasses.replace(rules, inline=too_few)).removed != signed.removed


def test_literal_cues_are_runs_every_match_contains():
    assert clean._literal_cue(r"Follow\s+Copyright") == "copyright"
    assert clean._literal_cue(r"source:?\s+trt") == "source"  # the optional ":" is not part of the run
    assert clean._literal_cue(r"\(source:") == "(source:"
    assert clean._literal_cue(r"\((?:TRT World|Photo)") == "("  # alternatives give no cue, the "(" does
    assert clean._literal_cue(r"a|bc") is None  # a top-level alternation
    assert clean._literal_cue(r"(?:abc)?") is None
    assert clean._literal_cue(r"[[:alpha:]]+ news") is None  # classes: `regex` and `re` read them differently
    assert clean._literal_cue(r"(?:sputnik){e<=1}") is None  # a fuzzy match needs no exact run
    assert clean._literal_cue(r"Get short URL(?:\s+\d{1,3})*") == "get short url"  # a counted repeat is read
    assert clean._literal_cue(r"(?r)word$") is None


def test_inline_rule_cues_change_no_cut():
    """The literal cues only skip `requires` searches that would fail: the same cuts, credits and texts as without
    them, on written paragraphs with the rules' cues in mixed case, in non-ASCII text and next to cuts by earlier
    rules, and on random mixtures of those pieces."""
    import dataclasses
    import random

    rules = clean.default_rules()
    assert sum(bool(r.cues) for r in rules.inline) >= 10
    assert sum(r.pattern_cue is not None for r in rules.inline) >= 5
    plain = dataclasses.replace(rules, inline=[dataclasses.replace(r, cues=(), pattern_cue=None) for r in rules.inline])
    pieces = [
        "The talks resumed in Geneva on Monday.",
        "Smoke rises over the town of Binnish Syria September 5 2016. (TRT World and Agencies)",
        "(Reporting by Jane Roe; Editing by John Poe)",
        "ADDITIONAL REPORTING BY a desk in Cairo",
        "Watch the convoy arrive - YouTube",
        "pic.twitter.com/abc123 Rami (rami_news) July 27 2016",
        "Tags Syria Aleppo Russia The strikes went on.",
        "Source: TRT World and agencies",
        "(source: Syrian Coalition's Media Office) Twitter",
        "Like Follow Follow Copyright \u00a9 2016 TRT World",
        "Print Tweet Views 312",
        "12 MoreImage",
        "Comment via Facebook Comment via Sputnik News",
        "Caf\u00e9 owners in \u0130dlib said the K\u212a\u017fource closed.",
        "Read Also",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "Get short URL 0 12",
        "Launched in London in 1978 Asharq Al-Awsat has become the reference for coverage of the entire Arab world.",
        "... 319 Related Syria talks",
    ]
    rng = random.Random(4)
    texts = pieces + [
        (" " if rng.random() < 0.7 else "\n").join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        for _ in range(1500)
    ]
    cut = 0
    for text in texts:
        got = clean.clean_text(text, rules=rules)
        assert got == clean.clean_text(text, rules=plain), text
        cut += bool(got.removed)
    assert cut > 1000


def test_agency_requires_and_restricted_trigger_change_nothing(fakes_csv, reuters_csv):
    """The agency forms' `requires:` strings, the check of what follows an alias, and the agencies named found
    from the alias occurrences are speed-ups only:
    every FA-KES and Reuters-ISOT text (cleaned, as ingest passes it) and written examples of each prefiltered form
    get the same agency, dateline and named agencies as with the whole trigger and no prefilter."""
    import dataclasses

    from analysis.readers import ReadContext, table

    finder = clean.default_agencies()
    assert {"dateline", "paren", "reporters", "reporting-by", "source-end", "source-line"} <= set(finder.requires)
    texts = [
        "HOMS, Syria (AFP) - Shelling resumed at dawn, a monitor said.",
        "Shelling resumed at dawn (Reuters) - the monitor said on Monday.",
        "A Reuters correspondent in the town counted eleven trucks.",
        "The convoy left at noon. (Reporting by Jane Roe; Editing by John Poe)",
        "The ceasefire held through the night. Source AA",
        "The ceasefire held through the night.\nSource: SANA",
        "The council met again (with AFP) and adjourned.",
        "Officials told Reuters the talks had stalled.",  # a bare mention: no credit
    ]
    rules = clean.default_rules()
    for path in (fakes_csv, reuters_csv):
        ctx = ReadContext("x", rules, {}, [], fmt="csv", kind="csv")
        texts += [
            clean.clean_text(r.text, title=r.title).text
            for r in table.read_table_file(str(path), path.read_bytes(), ctx)
        ]
    assert {"dateline", "dateline-bare", "paren", "trailing", "reporters", "source-end"} <= set(finder.after)
    plain = dataclasses.replace(finder, requires={}, after={})
    forms_hit = set()
    for text in texts:
        assert finder.named(text) == {finder.alias_of[a] for a in set(finder.trigger.findall(text))}
        assert clean.find_agency(text, finder) == clean.find_agency(text, plain)
        for agency in finder.named(text):
            forms_hit.update(f for f, _, rx in finder.by_agency[agency] if f in finder.requires and rx.search(text))
    assert set(finder.requires) - {"reporting-by"} <= forms_hit  # each prefiltered form really matched somewhere
    assert clean.find_agency(texts[3], finder)[0] == "Reuters"  # reporting-by, a fixed form
    assert clean.find_agency(texts[7], finder) == (None, None)


def test_agency_shortcuts_agree_with_the_patterns_on_random_text():
    """Random strings made of aliases (overlapping ones too), credit pieces, word characters and separators: the
    agencies named are trigger.findall's, and find_agency is the same with and without its prefilters."""
    import dataclasses
    import random

    finder = clean.default_agencies()
    plain = dataclasses.replace(finder, requires={}, after={})
    rng = random.Random(7)
    pieces = [
        *finder.alias_of,
        "Thomson",
        "ITAR-",
        "x",
        "_",
        "9",
        " ",
        " ",
        "\n",
        "(",
        ")",
        " - ",
        "—",
        ".",
        ",",
        ":",
        "Source",
        "Sources:",
        "reporters",
        "staff",
        "(with ",
        "HOMS, Syria ",
        "Beirut",
        "é",
        "\t",
    ]
    hits = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        assert finder.named(text) == {finder.alias_of[a] for a in set(finder.trigger.findall(text))}, text
        got = clean.find_agency(text, finder)
        assert got == clean.find_agency(text, plain), text
        hits += got[0] is not None
    assert hits > 80  # credits were found, not only rejected


def test_after_alias_part_only_when_every_match_has_it():
    assert clean._after_alias(r"\({alias}\)\s*-") == r"\)\s*-"
    assert clean._after_alias(r"(?:^|\s)-\s*{alias}\s*$") == r"\s*$"
    assert clean._after_alias(r"[(]{alias}\s") == r"\s"  # a parenthesis in a class opens no group
    assert clean._after_alias(r"(?:\({alias}\))") is None  # inside a group
    assert clean._after_alias(r"a{alias}|b") is None  # an alternative without it
    assert clean._after_alias(r"{alias}?x") is None  # optional
    assert clean._after_alias(r"{alias} or {alias}") is None
    assert clean._after_alias(r"(\w+) {alias} \1") is None  # a backreference to the part before


def _title_search(head: str, title: str, pos: int, endpos: int):
    found = clean._title_regex(title).search(head, pos, endpos)
    return None if found is None else found.span()


def test_title_found_without_its_regex_as_with_it():
    """strip_header finds the repeated title without compiling a pattern per title when text and title are ASCII:
    the same span as the title's regex on written heads (planted titles with separators, case changes, the
    closing punctuation) and on random strings of word, space, control and punctuation characters."""
    import random

    heads = [
        ("Syria talks resume", "Wed 05 Apr 2017 Syria talks resume. The delegations met on Monday."),
        ("Syria talks resume", 'Wed 05 Apr 2017 SYRIA - talks "resume" The delegations met'),
        ("Syria talks resume", "Wed 05 Apr 2017 Syria talksresume!) Then"),
        ("Syria talks resume", "Syria talks resumed later"),  # the last word runs on: no end after it
        ("Aid reaches Ghouta", "Aid reaches\x1cGhouta.\x1c more"),
        ("Aid reaches Ghouta", "Aid reaches Ghouta \u2013 officials"),  # not ASCII: the regex decides
    ]
    for title, head in heads:
        assert clean._find_title(head, title, clean._title_words(title), 0, 300) == _title_search(head, title, 0, 300)
    assert clean._find_title(heads[0][1], heads[0][0], clean._title_words(heads[0][0]), 0, 300) == (15, 36)
    assert clean._find_title(heads[3][1], heads[3][0], clean._title_words(heads[3][0]), 0, 300) is None
    rng = random.Random(5)
    alphabet = list("abcAB xyz1_") + [" ", ".", ",", "'", '"', ")", "]", ":", "!", "?", "\x1c", "\t", "\n", "-"]
    found = 0
    for _ in range(4000):
        title = " ".join(
            "".join(rng.choice("abAB1_") for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(2, 4))
        )
        words = clean._title_words(title)
        head = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.6:  # plant the title, with a random separator and ending
            at = rng.randint(0, len(head))
            planted = rng.choice([" ", ". ", "-", "", " \x1c"]).join(words)
            head = head[:at] + planted + rng.choice(["", " ", ".", '." ', "!) x", "\n", "x"]) + head[at:]
        if len(words) < 2:
            continue
        pos = rng.randint(0, len(head) // 2)
        end = pos + rng.randint(0, 50)
        expected = _title_search(head, title, pos, end)
        assert clean._find_title(head, title, words, pos, end) == expected, (title, head, pos, end)
        found += expected is not None
    assert found > 400  # about a sixth of the cases find the title


def test_title_found_without_its_regex_on_every_fakes_and_isot_article(fakes_csv, reuters_csv):
    from analysis.readers import ReadContext, table

    rules = clean.default_rules()
    for path in (fakes_csv, reuters_csv):
        ctx = ReadContext("x", rules, {}, [], fmt="csv", kind="csv")
        for rec in table.read_table_file(str(path), path.read_bytes(), ctx):
            title = clean.clean_title(rec.title, rules)
            words = clean._title_words(title) if title else ()
            if len(words) < 2:
                continue
            head = clean.normalize_text(rec.text)[:400]
            for pos in (0, 17, 40):
                assert clean._find_title(head, title, words, pos, pos + 300) == _title_search(
                    head, title, pos, pos + 300
                )
