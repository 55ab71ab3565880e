"""Cleaning raw article text: byte repair, Unicode normalisation, boilerplate removal, agency and dates."""

from __future__ import annotations

import codecs
import re as _re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import regex as re

from analysis import config
from analysis.dates import date_from_filename, parse_date_value, parse_dates  # noqa: F401 - re-exported
from analysis.errors import ResourceError
from analysis.resources import load_yaml, wants_extend

BOILERPLATE_FILE = "boilerplate.yaml"
AGENCIES_FILE = "agencies.yaml"

# ---------------------------------------------------------------------------------------------------------------
# Rule files
# ---------------------------------------------------------------------------------------------------------------


def _read_yaml(path: Path, what: str) -> dict:
    data = load_yaml(path, what=f"{what} file")
    if not isinstance(data, dict):
        raise ResourceError(f"{what} file {path} must be a YAML mapping with a `version:` key and rule sections")
    return data


def _positive_int(value, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ResourceError(f"{where}: {value!r} must be a whole number of words, 1 or more (e.g. 16)")
    return value


def _compile(pattern: str, where: str, flags=re.IGNORECASE) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except (re.error, TypeError) as exc:
        raise ResourceError(f"{where}: invalid regular expression {pattern!r} ({exc}): fix the pattern") from exc


def _merge_named(base: list[dict], extra: list[dict] | None, where: str) -> list[dict]:
    """Rules of ``extra`` replace the ``base`` rule of the same name, else are appended; ``enabled: false`` drops."""
    out = {r["name"]: r for r in base}
    order = [r["name"] for r in base]
    for i, rule in enumerate(extra or []):
        if not isinstance(rule, dict) or "name" not in rule:
            raise ResourceError(f"{where}: rule #{i + 1} needs a `name:` (and a `pattern:`)")
        if rule["name"] not in out:
            order.append(rule["name"])
        out[rule["name"]] = rule
    return [out[n] for n in order if out[n].get("enabled", True)]


@dataclass(frozen=True)
class Rule:
    """One named boilerplate pattern; ``credit`` names the wire agency a span it cuts is evidence for."""

    name: str
    regex: re.Pattern
    credit: str | None = None
    flat_only: bool = False  # apply only to a text that is one paragraph (a flattened scrape)
    requires: tuple[re.Pattern, ...] = ()  # every match contains a match of one of these: without, `regex` is not run
    # every match starts within the paragraph's last `last_words` whitespace-separated words: `regex` is tried
    # from there only, not at every position of a long paragraph (speed only, like `requires`)
    last_words: int | None = None
    # one lower-case ASCII string per `requires` pattern that its every match contains (see _literal_cue), or
    # () when some pattern has none: in an ASCII paragraph holding none of them, no `requires` can match
    cues: tuple[str, ...] = ()
    pattern_cue: str | None = None  # the same for `regex` itself: an ASCII paragraph without it has no match


@dataclass(frozen=True)
class ByteRepair:
    """Replacement for a byte sequence that is not valid UTF-8, with optional byte context."""

    seq: _re.Pattern
    before: _re.Pattern | None
    after: _re.Pattern | None
    char: str


@dataclass
class Rules:
    """Compiled boilerplate rules (built-in plus user file); ``version`` identifies them in manifests."""

    version: str
    tail: list[Rule]
    line: list[Rule]
    inline: list[Rule]
    title: list[Rule]
    header: re.Pattern
    header_date_only: re.Pattern
    byte_repairs: list[ByteRepair]
    sources: list[str] = field(default_factory=list)


def load_rules(user_file: str | Path | None = None) -> Rules:
    """The built-in boilerplate rules of ``analysis/resources/boilerplate.yaml``, extended by ``user_file``.

    A user rule with a built-in rule's name replaces it; ``enabled: false`` switches a rule off.
    """
    builtin_path = config.resource(BOILERPLATE_FILE)
    data = _read_yaml(builtin_path, "boilerplate rules")
    version = str(data.get("version", "?"))
    sources = [f"{builtin_path.name}@{version}"]
    user = {}
    if user_file:
        user = _read_yaml(Path(user_file), "boilerplate rules")
        if "version" not in user:
            raise ResourceError(
                f"boilerplate rules file {user_file} has no `version:` key: add one (e.g. `version: 1`)"
            )
        if not wants_extend(user, Path(user_file), default=True):  # `extends: none`: only the user's rules
            data = {k: v for k, v in data.items() if k == "header"} | {k: v for k, v in user.items() if k != "version"}
        unknown = set(user) - {"version", "tail", "line", "inline", "title", "header", "byte_repairs"}
        if unknown:
            raise ResourceError(
                f"boilerplate rules file {user_file}: unknown section(s) {sorted(unknown)}; "
                "use tail, line, inline, title, byte_repairs"
            )
        sources.append(f"{Path(user_file).name}@{user['version']}")
        version = f"{version}+{Path(user_file).name}@{user['version']}"

    def section(name: str) -> list[Rule]:
        where = f"boilerplate rules, section {name!r}"
        merged = _merge_named(data.get(name) or [], user.get(name), where)
        out = []
        for r in merged:
            if "pattern" not in r:
                raise ResourceError(f"{where}: rule {r['name']!r} has no `pattern:`")
            requires = [r["requires"]] if isinstance(r.get("requires"), str) else list(r.get("requires") or [])
            cues = tuple(_literal_cue(str(q)) for q in requires)
            out.append(
                Rule(
                    r["name"],
                    _compile(r["pattern"], f"{where}, rule {r['name']!r}"),
                    str(r["credit"]) if r.get("credit") else None,
                    bool(r.get("flat_only", False)),
                    tuple(_compile(q, f"{where}, rule {r['name']!r}, requires") for q in requires),
                    _positive_int(r.get("last_words"), f"{where}, rule {r['name']!r}, last_words"),
                    cues if cues and None not in cues else (),
                    _literal_cue(str(r["pattern"])),
                )
            )
        return out

    hdr = data["header"]
    dates = "|".join(f"(?:{d})" for d in hdr["date"])
    header = _compile(
        rf"\W{{0,3}}(?:{hdr['prefix']})?(?P<date>{dates}){hdr['suffix']}[\s.,:;-]*",
        "boilerplate rules, section 'header'",
    )
    date_only = _compile(rf"\W{{0,3}}(?P<date>{dates})[\s.,:;-]*", "boilerplate rules, section 'header'")
    repairs = []
    for i, r in enumerate(list(user.get("byte_repairs") or []) + list(data.get("byte_repairs") or [])):
        try:
            repairs.append(
                ByteRepair(
                    seq=_re.compile(r["bytes"].encode("latin-1")),
                    before=_re.compile(r["before"].encode("latin-1")) if r.get("before") else None,
                    after=_re.compile(r["after"].encode("latin-1")) if r.get("after") else None,
                    char=str(r["char"]),
                )
            )
        except (KeyError, _re.error, UnicodeEncodeError) as exc:
            raise ResourceError(
                f"boilerplate rules, byte_repairs #{i + 1}: needs `bytes:` (a byte regex such as "
                f"'\\x95\\x81') and `char:` ({exc})"
            ) from exc
    return Rules(
        version=version,
        tail=section("tail"),
        line=section("line"),
        inline=section("inline"),
        title=section("title"),
        header=header,
        header_date_only=date_only,
        byte_repairs=repairs,
        sources=sources,
    )


# what _literal_cue reads: escapes of classes and of boundaries, plain groups, lookarounds, the i flag and counted
# repeats; anything else (classes in brackets, fuzzy repeats, the `regex` module's own syntax) gives no cue
_CUE_SYNTAX = _re.compile(
    r"(?:\\[sSdDwWbB]|\\[^A-Za-z0-9]|\(\?(?::|-?i:|=|!|<=|<!)|\{\d*(?:,\d*)?\}|[^\\\[{(]|\((?!\?))*"
)


def _literal_cue(pattern: str) -> str | None:
    """The longest run of literal ASCII characters at the top level of ``pattern`` (every match contains it),
    lower-cased, or None. Only for patterns in the syntax that Python's ``re`` and ``regex`` read alike (see
    :data:`_CUE_SYNTAX`), so that ``re``'s parse tree is the rule's; for an ASCII text, the rule's case-insensitive
    match then implies the run in ``text.lower()``."""
    import re._parser as sre_parse  # the parser of the stdlib's own `re`

    if not _CUE_SYNTAX.fullmatch(pattern):
        return None
    try:
        items = sre_parse.parse(pattern, _re.IGNORECASE)
    except _re.error:
        return None
    best, run = "", []
    for op, arg in [*items, (None, None)]:
        if op is sre_parse.LITERAL and arg < 128:
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best.lower() or None


@lru_cache(maxsize=8)
def _cached_rules(user_file: str | None) -> Rules:
    return load_rules(user_file)


def default_rules() -> Rules:
    """The built-in rules (compiled once)."""
    return _cached_rules(None)


# ---------------------------------------------------------------------------------------------------------------
# Bytes -> text
# ---------------------------------------------------------------------------------------------------------------

_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_bytes(data: bytes, rules: Rules | None = None) -> tuple[str, int]:
    """Decode ``data`` as UTF-8, repairing invalid bytes; return ``(text, n_bytes_repaired)``.

    A UTF-8 or UTF-16 byte-order mark is honoured. Each invalid byte is replaced by the first matching
    ``byte_repairs`` rule, else by its cp1252 character where cp1252 defines one, else by U+FFFD.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), 0
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    state = _REPAIR_STATE
    state["repairs"], state["count"] = (rules or default_rules()).byte_repairs, 0
    try:
        # a registered error handler sees each invalid byte once, with the whole input and no copying: linear time
        text = data.decode("utf-8", errors="analysis-repair")
    finally:
        repaired, state["repairs"] = state["count"], ()
    return text, repaired


_REPAIR_STATE: dict = {"repairs": (), "count": 0}


def _repair_handler(exc: UnicodeError):
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data, i = exc.object, exc.start
    char, consumed = _repair_at(data, i, exc.end - i, _REPAIR_STATE["repairs"])
    _REPAIR_STATE["count"] += sum(1 for b in data[i : i + consumed] if b >= 0x80)
    return char, i + consumed


codecs.register_error("analysis-repair", _repair_handler)


def _repair_at(data: bytes, i: int, n_bad: int, repairs: Sequence[ByteRepair]) -> tuple[str, int]:
    for rep in repairs:
        m = rep.seq.match(data, i)
        if not m:
            continue
        if rep.before is not None and not rep.before.search(data[max(0, i - 20) : i]):
            continue
        if rep.after is not None and not rep.after.search(data[m.end() : m.end() + 20]):
            continue
        return rep.char, m.end() - i
    byte = data[i]
    if byte in _CP1252_UNDEFINED or byte < 0x80:
        return "\ufffd", 1
    return bytes([byte]).decode("cp1252"), 1


def looks_binary(data: bytes) -> bool:
    """True when ``data`` is not text: NUL bytes (outside UTF-16) or many control characters in its first 8 KB."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


# ---------------------------------------------------------------------------------------------------------------
# Unicode normalisation
# ---------------------------------------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u3000": " ",
        "\t": " ",
        "\u2028": "\n",
        "\u2029": "\n",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x85": "\n",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
_SPACES = re.compile(r"[ ]{2,}")


def normalize_text(text: str) -> str:
    """NFC, straight quotes, plain spaces, no zero-width characters; one paragraph per line, no blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").translate(_CHAR_MAP)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_WORDS = _re.compile(r"\w+")


def normalize_for_hash(text: str) -> str:
    """Lower-case words only, single-spaced: the key of exact-duplicate detection."""
    return " ".join(hash_words(text))


def hash_words(text: str) -> list[str]:
    """The words of :func:`normalize_for_hash` (its ``split()``: a word character is never a space)."""
    return _WORDS.findall(text.casefold())


# ---------------------------------------------------------------------------------------------------------------
# Boilerplate
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CleanResult:
    """A cleaned text and what was cut from it, in order: ``removed`` holds ``(rule, text)`` pairs.

    ``header_credit`` is an agency named by removed text: just before the date of a leading header, or by an inline
    rule with a ``credit:`` (Reuters staff credit lines). Ingest uses it only when the cleaned text credits no agency.
    """

    text: str
    title: str | None
    removed: list[tuple[str, str]]
    header_date: str | None = None
    outlet: str | None = None
    header_credit: str | None = None


def clean_title(title: str | None, rules: Rules | None = None) -> str | None:
    """The title normalised and stripped of "title:" prefixes and " | Site" suffixes; ``None`` when empty."""
    if title is None:
        return None
    rules = rules or default_rules()
    title = normalize_text(str(title)).replace("\n", " ")
    for rule in rules.title:
        title = rule.regex.sub("", title)
    return title.strip() or None


@lru_cache(maxsize=4096)
def _title_regex(title: str) -> _re.Pattern | None:
    words = _re.findall(r"\w+", title)
    if len(words) < 2:
        return None
    return _re.compile(r"\W*" + r"\W*".join(map(_re.escape, words)) + r"(?:\s*[.:?!\"')\]]+)?(?:\s+|$)", _re.IGNORECASE)


@lru_cache(maxsize=4096)
def _title_words(title: str) -> tuple[str, ...]:
    return tuple(_re.findall(r"\w+", title))


_NON_WORDS = _re.compile(r"\W*")
_NON_WORD = _re.compile(r"\W")
_TITLE_END = _re.compile(r"(?:\s*[.:?!\"')\]]+)?(?:\s+|$)")  # the end of _title_regex's pattern


def _find_title(head: str, title: str, words: tuple[str, ...], pos: int, endpos: int) -> tuple[int, int] | None:
    """(start, end) of ``_title_regex(title).search(head, pos, endpos)``, or None; without compiling a pattern per
    title (0.1-0.2 ms each, once for every article of a corpus with new titles) when the title's words and the
    searched text are ASCII.

    The pattern is ``\\W*w1\\W*w2 ... wn<end>``: each word starts with a word character, so every ``\\W*`` takes
    all the non-word characters before the next word and the match from a start is unique; the leftmost match
    starts just before (after the non-word characters preceding) the first occurrence of ``w1`` from which the
    rest matches. For ASCII text and words, IGNORECASE is ASCII case-insensitivity (``str.lower``)."""
    text = head[:endpos]
    if not (text.isascii() and all(w.isascii() for w in words)):
        found = _title_regex(title).search(head, pos, endpos)
        return None if found is None else found.span()
    low = text.lower()
    first = words[0].lower()
    rest = [w.lower() for w in words[1:]]
    at = low.find(first, pos)
    while at >= 0:
        i = at + len(first)
        for w in rest:
            i = _NON_WORDS.match(text, i).end()
            if not low.startswith(w, i):
                break
            i += len(w)
        else:
            end = _TITLE_END.match(text, i)
            if end is not None:
                start = at
                while start > pos and _NON_WORD.match(text, start - 1):  # the \W* before w1
                    start -= 1
                return start, end.end()
        at = low.find(first, at + 1)
    return None


class Header(NamedTuple):
    """A leading header cut by :func:`strip_header`: the rest of the text, the header, its date and agency credit."""

    rest: str
    header: str | None
    date: str | None
    credit: str | None


def strip_header(text: str, title: str | None, rules: Rules) -> Header:
    """Cut a leading "<date> <title>." header (FA-KES style) from ``text``."""
    head = text[:400]
    pos, date_text, credit = 0, None, None
    m = rules.header.match(head)
    if m:
        pos, date_text, credit = m.end(), m.group("date"), m.groupdict().get("credit")
    words = _title_words(title) if title else ()
    if len(words) >= 2:
        found = _find_title(head, title, words, pos, pos + 300)
        # a byline or a short kicker ("UPDATED") may sit between the date and the repeated title
        limit = 120 if m is not None else 12
        tm = found if found is not None and found[0] - pos <= limit else None
        if tm is not None:
            pos = tm[1]
            if m is None:  # "<title> 6 October 2016 ...": a date right after the title is part of the header
                dm = rules.header.match(head, pos)
                if dm:
                    pos, date_text, credit = dm.end(), dm.group("date"), dm.groupdict().get("credit")
    if pos == 0:
        return Header(text, None, None, None)
    return Header(text[pos:].lstrip(), text[:pos].strip(), date_text, credit)


_WORD_RUNS_BACKWARDS = re.compile(r"\S+", re.REVERSE)  # the `regex` module's \s, as in the rules' patterns


def _start_of_last_words(text: str, n: int) -> int:
    """Where the ``n``-th last run of non-whitespace starts (0 when ``text`` has fewer), found from the end."""
    for i, m in enumerate(_WORD_RUNS_BACKWARDS.finditer(text), start=1):
        if i == n:
            return m.start()
    return 0


def clean_text(
    text: str, *, title: str | None = None, rules: Rules | None = None, strip_headers: bool = True
) -> CleanResult:
    """Normalise ``text`` and cut boilerplate by the rules; every cut span is returned as ``(rule, text)``.

    Order: Unicode normalisation, leading header (date/title), inline spans, whole-paragraph rules, tail blocks.
    """
    rules = rules or default_rules()
    text = normalize_text(text)
    title = clean_title(title, rules)
    removed: list[tuple[str, str]] = []
    header_date = header_credit = outlet = None
    if strip_headers and text:
        rest, header, header_date, header_credit = strip_header(text, title, rules)
        if header and rest:
            removed.append(("header", header))
            text = rest
        else:
            header_date = header_credit = None
    paragraphs = text.split("\n") if text else []
    kept: list[str] = []
    tail_rule: str | None = None
    for para in paragraphs:
        low = para.lower() if para.isascii() else None  # for the rules' literal cues
        if tail_rule is None and kept:
            for rule in rules.tail:
                if rule.regex.fullmatch(para):
                    tail_rule = rule.name
                    break
        line_rule, line_match = None, None
        for rule in rules.line:
            line_match = rule.regex.fullmatch(para)
            if line_match:
                line_rule = rule.name
                break
        if line_match is not None and outlet is None and "outlet" in line_match.re.groupindex:
            outlet = line_match.group("outlet")
        if line_rule or tail_rule:
            removed.append((line_rule or f"tail:{tail_rule}", para))
            continue
        for rule in rules.inline:
            if rule.flat_only and len(paragraphs) > 1:
                continue
            if low is not None and rule.pattern_cue is not None and rule.pattern_cue not in low:
                continue  # the pattern cannot match: no call, no scan
            if rule.requires:
                if low is not None and rule.cues and not any(c in low for c in rule.cues):
                    continue  # no `requires` can match: a substring test instead of a regex search
                if not any(q.search(para) for q in rule.requires):
                    continue  # no match is possible: the same paragraph, without trying the pattern at every position
            n_before = len(removed)

            def cut(m, name=rule.name):
                removed.append((name, m.group(0).strip()))
                return " "

            if rule.last_words is None:
                para = rule.regex.sub(cut, para)
            else:  # the text before `pos` is kept, and lookbehinds still see it
                para = rule.regex.sub(cut, para, pos=_start_of_last_words(para, rule.last_words))
            if len(removed) > n_before:  # the paragraph changed
                low = para.lower() if para.isascii() else None
                if rule.credit and header_credit is None:
                    header_credit = rule.credit  # used only when the cleaned text credits no agency
        para = _SPACES.sub(" ", para).strip()
        if para:
            kept.append(para)
    return CleanResult("\n".join(kept), title, removed, header_date, outlet.strip() if outlet else None, header_credit)


# ---------------------------------------------------------------------------------------------------------------
# Agency and dateline
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class AgencyFinder:
    """Compiled credit patterns per agency, plus one pattern finding which agencies a text names at all."""

    version: str
    by_agency: dict[str, list[tuple[str, int, _re.Pattern]]]
    fixed: list[tuple[str, str, int, _re.Pattern]]  # forms that name their agency themselves
    trigger: _re.Pattern
    alias_of: dict[str, str]
    # a form's `requires`: literal strings one of which every match of the form contains (speed only: a text
    # holding none of them is not searched with that form's patterns)
    requires: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # per form: what every match of it has right after its alias (the pattern's part after `{alias}`, see
    # _after_alias); speed only: a text where no alias of the agency is followed by it is not searched
    after: dict[str, _re.Pattern] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # agency -> its aliases

    def named(self, text: str) -> set[str]:
        """The agencies whose aliases ``text`` names (as ``trigger.findall`` finds them)."""
        return self._named(text, self._alias_ends(text))

    def _alias_ends(self, text: str) -> dict[str, list[int]]:
        """Where every occurrence of every alias in ``text`` ends (exclusive), overlapping ones included."""
        ends: dict[str, list[int]] = {}
        if self._automaton is not None:
            for end, alias in self._automaton.iter(text):
                ends.setdefault(alias, []).append(end + 1)
        return ends

    def _named(self, text: str, ends: dict[str, list[int]]) -> set[str]:
        if not ends:
            return set()
        if "" in self.alias_of:  # an empty alias matches everywhere: let the regex say what that means
            present = tuple(a for a in self._aliases if a in ends)
            return {self.alias_of[a] for a in set(_alias_trigger(present).findall(text))}
        # trigger.findall from the occurrences, without a regex scan of the whole text: left to right, at each
        # start at or after the previous match's end that no word character precedes, the first alternative
        # (longest alias first) that no word character follows; the trigger fails wherever no alias starts
        starts: dict[int, list[str]] = {}
        for alias, alias_ends in ends.items():
            if alias in self._rank:
                for e in alias_ends:
                    starts.setdefault(e - len(alias), []).append(alias)
        found, cursor, n = set(), 0, len(text)
        for p in sorted(starts):
            if p < cursor or (p > 0 and _is_word(text[p - 1])):
                continue
            for alias in sorted(starts[p], key=self._rank.__getitem__):
                e = p + len(alias)
                if e < n and _is_word(text[e]):
                    continue
                found.add(self.alias_of[alias])
                cursor = e
                break
        return found

    def __post_init__(self) -> None:
        self._aliases = sorted(self.alias_of, key=len, reverse=True)  # the trigger's order of alternatives
        self._rank = {a: i for i, a in enumerate(self._aliases)}
        # every occurrence of every alias in one pass over the text (38 substring scans before)
        self._automaton = None
        if self._aliases or self.aliases:
            import ahocorasick

            self._automaton = ahocorasick.Automaton()
            for alias in {*self._aliases, *(a for names in self.aliases.values() for a in names)}:
                self._automaton.add_word(alias, alias)
            self._automaton.make_automaton()


def _after_alias(pattern: str) -> str | None:
    """The part of an agency form's ``pattern`` after ``{alias}`` when every match must have it right after the
    alias: ``{alias}`` occurs once, outside any group, unquantified, in a pattern without a top-level ``|``, global
    inline flags or backreferences. Otherwise None (no shortcut for that form)."""
    if pattern.count("{alias}") != 1 or _re.match(r"\(\?[aiLmsux]+\)", pattern) or "(?P=" in pattern:
        return None
    at = pattern.index("{alias}")
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern) and pattern[i + 1].isdigit():
                return None  # a numbered backreference
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1  # a "]" first in a class is a literal
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        elif i == at and depth != 0:
            return None
        i += 1
    rest = pattern[at + len("{alias}") :]
    if not rest or rest[0] in "?*+{":
        return None
    return rest


def _is_word(c: str) -> bool:
    """``re``'s ``\\w`` for one character of a str pattern (the same test: alphanumeric or underscore)."""
    return c.isalnum() or c == "_"


@lru_cache(maxsize=256)
def _alias_trigger(present: tuple[str, ...]) -> _re.Pattern:
    """The agency trigger restricted to the aliases that occur in a text as substrings. It finds the same matches
    as the whole trigger: an absent alias fails at every position, so dropping it from the alternation changes no
    match, and an alternation of a few aliases is tried much faster at each position than one of all of them."""
    return _re.compile(rf"(?<!\w)(?:{'|'.join(_re.escape(a) for a in present)})(?!\w)")


def load_agencies(user_file: str | Path | None = None) -> AgencyFinder:
    """The wire-agency credit patterns of ``analysis/resources/agencies.yaml`` (plus ``user_file``)."""
    data = _read_yaml(config.resource(AGENCIES_FILE), "agency list")
    version = str(data.get("version", "?"))
    forms, agencies = list(data["forms"]), list(data["agencies"])
    if user_file:
        user = _read_yaml(Path(user_file), "agency list")
        if not wants_extend(user, Path(user_file), default=True):  # `extends: none`: only the user's agencies
            forms, agencies = [], []
        forms = _merge_named(forms, user.get("forms"), f"agency list {user_file}, forms")
        agencies = _merge_named(agencies, user.get("agencies"), f"agency list {user_file}, agencies")
        version = f"{version}+{Path(user_file).name}@{user.get('version', '?')}"

    def compile_(pattern: str, where: str) -> _re.Pattern:
        try:
            return _re.compile(pattern, _re.MULTILINE)  # stdlib re: these simple patterns match faster with it
        except _re.error as exc:
            raise ResourceError(f"{where}: invalid regular expression {pattern!r} ({exc}): fix the pattern") from exc

    by_agency: dict[str, list] = {}
    fixed, alias_of, requires, after, alias_lists = [], {}, {}, {}, {}
    for form in forms:
        if form.get("requires"):
            requires[form["name"]] = tuple(str(r) for r in form["requires"])
        rest = _after_alias(form["pattern"]) if "agency" not in form else None
        if rest is not None:
            after[form["name"]] = compile_(rest, f"agency form {form['name']!r} (after its alias)")
        if "agency" in form:  # a form that identifies one agency by itself (no {alias})
            fixed.append(
                (
                    form["agency"],
                    form["name"],
                    int(form.get("weight", 1)),
                    compile_(form["pattern"], f"agency form {form['name']!r}"),
                )
            )
            continue
        for agency in agencies:
            aliases = sorted(agency["aliases"], key=len, reverse=True)
            alias_of.update({a: agency["name"] for a in aliases})
            alias_lists[agency["name"]] = tuple(aliases)
            alias = rf"(?<!\w)(?:{'|'.join(_re.escape(a) for a in aliases)})(?!\w)"
            by_agency.setdefault(agency["name"], []).append(
                (
                    form["name"],
                    int(form.get("weight", 1)),
                    compile_(
                        form["pattern"].replace("{alias}", alias),
                        f"agency form {form['name']!r} for {agency['name']!r}",
                    ),
                )
            )
    names = sorted(alias_of, key=len, reverse=True)
    trigger = _re.compile(rf"(?<!\w)(?:{'|'.join(_re.escape(a) for a in names)})(?!\w)")
    return AgencyFinder(version, by_agency, fixed, trigger, alias_of, requires, after, alias_lists)


@lru_cache(maxsize=1)
def default_agencies() -> AgencyFinder:
    """The built-in agency patterns (compiled once)."""
    return load_agencies()


def find_agency(text: str, finder: AgencyFinder | None = None) -> tuple[str | None, str | None]:
    """The credited wire agency of ``text`` and the dateline place, e.g. ``("AFP", "MOSUL, Iraq")``.

    Every credit form found scores its weight for its agency; the best score wins, ties go to the earliest credit.
    A dateline place is returned only when a dateline form matched at the start of the text.
    """
    finder = finder or default_agencies()
    ends = finder._alias_ends(text)
    named = finder._named(text, ends)
    candidates = [
        (agency, form, weight, rx) for agency in sorted(named) for form, weight, rx in finder.by_agency[agency]
    ] + finder.fixed
    scores: dict[str, list] = {}
    place = None
    possible: dict[str, bool] = {}  # per form: does the text hold one of its `requires` strings
    for agency, form, weight, regex in candidates:
        needs = finder.requires.get(form)
        if needs:
            if form not in possible:
                possible[form] = any(s in text for s in needs)
            if not possible[form]:
                continue
        follows = finder.after.get(form)
        if follows is not None and agency in finder.aliases:
            if not any(follows.match(text, e) for a in finder.aliases[agency] for e in ends.get(a, ())):
                continue  # no alias of the agency is followed by what every match has after it
        for m in regex.finditer(text):
            entry = scores.setdefault(agency, [0, m.start()])
            entry[0] += weight
            entry[1] = min(entry[1], m.start())
            if place is None and "place" in regex.groupindex and m.group("place"):
                place = m.group("place").strip(" ,")
    if not scores:
        return None, None
    best = min(scores.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0]))[0]
    return best, place


# ---------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------

# One parser for every date: analysis.dates (date_from_filename, parse_date_value, parse_dates are importable here).
