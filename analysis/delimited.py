"""CSV/TSV text parsed record by record: each malformed row is rejected with its line number, the rest is kept.

pandas' fast parser pads a row with too few fields (the story lands in the wrong column) and rejects a whole file
for one ragged row; an unterminated quote swallows every following row into one cell. This parser uses the csv
module one record at a time: a record whose field count differs from the header's is rejected at its first line,
and parsing resumes on the next line, so a stray quote costs one row, not the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from analysis.sources import DEFAULT_MAX_FILE_MB, Rejected


@dataclass
class Delimited:
    """The parsed file: header, good rows (with their data-row and line numbers) and rejected rows."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # 1-based data rows (header not counted)
    line_numbers: list[int] = field(default_factory=list)  # 1-based line where each row starts
    rejects: list[tuple[int, int, str]] = field(default_factory=list)  # (data row, line, detail)


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n``; split on ``\\n`` only (str.splitlines also splits on \\x0b,
    \\x1c, U+2028 ... which may sit inside a cell). The list is built in place: one copy of a large file, not two."""
    lines = text.split("\n")
    last = lines.pop()
    for i, line in enumerate(lines):
        lines[i] = line + "\n"
    if last:
        lines.append(last)
    return lines


def unique_names(names: list[str]) -> list[str]:
    """Column names made usable: blanks become ``column_N``, repeats get ``_2``, ``_3`` ... (nothing is dropped)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = name.strip() or f"column_{i}"
        cand, n = base, 1
        while cand in taken:
            n += 1
            cand = f"{base}_{n}"
        taken.add(cand)
        out.append(cand)
    return out


def parse_delimited(text: str | list[str], sep: str, *, max_mb: float = DEFAULT_MAX_FILE_MB) -> Delimited:
    """Parse ``text`` (the whole file, or its :func:`split_lines`) with delimiter ``sep``; the first record is the
    header. The rows of :func:`iter_delimited`, collected."""
    lines = text if isinstance(text, list) else split_lines(text)
    del text
    stream = iter_delimited(iter(lines), sep, max_mb=max_mb)
    out = Delimited(header=next(stream))
    for row in stream:
        if isinstance(row, Malformed):
            out.rejects.append((row.data_row, row.line, row.detail))
        else:
            out.rows.append(row.fields)
            out.row_numbers.append(row.data_row)
            out.line_numbers.append(row.line)
    return out


class Row(NamedTuple):
    """A good data row: its cells, 1-based data row (header not counted) and the line where it starts."""

    fields: list[str]
    data_row: int
    line: int


class Malformed(NamedTuple):
    """A rejected data row: its 1-based data row, the line where it starts and what is wrong."""

    data_row: int
    line: int
    detail: str


class _Lines:
    """The lines of a file as the csv module reads them, each remembered (with its 0-based index) until the
    record it belongs to is complete, so that a malformed record's later lines can be read again."""

    def __init__(self, lines: Iterator[str]):
        self._source = lines
        self._next_index = 0  # index of the next line drawn from the source
        self.back: list[tuple[int, str]] = []  # lines to read again, the next one last
        self.taken: list[tuple[int, str]] = []  # lines of the record being read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.back:
            item = self.back.pop()
        else:
            item = (self._next_index, next(self._source))
            self._next_index += 1
        self.taken.append(item)
        return item[1]

    def reread_after_first(self) -> None:
        """Read the current record's lines after its first again (what an unterminated quote swallowed)."""
        self.back.extend(reversed(self.taken[1:]))
        self.taken = []


def iter_delimited(lines: Iterator[str], sep: str, *, max_mb: float = DEFAULT_MAX_FILE_MB) -> Iterator:
    """Parse the lines of a CSV/TSV file (each with its ``\\n``, as :func:`split_lines` gives them) one record at a
    time: first the header (the column names, made unique), then a :class:`Row` or :class:`Malformed` per data row.

    Blank lines are not rows. A row with too few or too many fields is rejected with its line number; a quoted cell
    may span lines (article text often does), and when such a record is malformed the lines after its first are
    parsed again, so rows an unterminated quote swallowed are recovered. Only the lines of the record being read
    are held, so a file of any size streams. The header's problems are raised before the first row:
    ``parse_error`` (it cannot be parsed), ``empty_file`` (no header).
    """
    limit = int(max_mb * 2**20)
    if csv.field_size_limit() < limit:  # csv's default (128 KB) would reject a whole file for one long article
        csv.field_size_limit(limit)
    what = "TSV" if sep == "\t" else "CSV"
    source = _Lines(lines)
    try:
        reader = csv.reader(source, delimiter=sep)
        header = next(reader, None)
        while header is not None and not header:  # leading blank lines
            header = next(reader, None)
    except csv.Error as exc:
        raise Rejected("parse_error", f"cannot parse the header as {what} ({exc}): check its quoting") from None
    if header is None:
        raise Rejected("empty_file", "no header line and no rows")
    yield unique_names(header)
    width = len(header)
    data_row = 0
    while True:
        source.taken = []
        reader = csv.reader(source, delimiter=sep)
        restart = False
        try:
            for fields in reader:
                taken, source.taken = source.taken, []
                if not fields:
                    continue
                first = taken[0][0]  # 0-based index of this record's first line
                data_row += 1
                if len(fields) != width:
                    span = len(taken)
                    cause = (
                        "an unterminated quote, or a quote inside an unquoted cell"
                        if span > 1
                        else "check its delimiters and quoting"
                    )
                    yield Malformed(
                        data_row, first + 1, f"line {first + 1}: {len(fields)} fields, the header has {width} ({cause})"
                    )
                    if span > 1:
                        source.taken = taken
                        source.reread_after_first()
                        restart = True
                        break
                    continue
                yield Row(fields, data_row, first + 1)
        except csv.Error as exc:
            first = source.taken[0][0]
            data_row += 1
            yield Malformed(data_row, first + 1, f"line {first + 1}: cannot parse as {what} ({exc})")
            source.reread_after_first()
            restart = True
        if not restart:
            return


__all__ = ["Delimited", "Malformed", "Row", "iter_delimited", "parse_delimited", "split_lines", "unique_names"]
