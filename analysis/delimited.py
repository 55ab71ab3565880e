"""CSV/TSV text parsed record by record: each malformed row is rejected with its line number, the rest is kept.

pandas' fast parser pads a row with too few fields (the story lands in the wrong column) and rejects a whole file
for one ragged row; an unterminated quote swallows every following row into one cell. This parser uses the csv
module one record at a time: a record whose field count differs from the header's is rejected at its first line,
and parsing resumes on the next line, so a stray quote costs one row, not the file.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field

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
    header.

    Blank lines are not rows. A row with too few or too many fields is rejected with its line number; a quoted cell
    may span lines (article text often does), and when such a record is malformed the lines after its first are
    parsed again, so rows an unterminated quote swallowed are recovered.
    """
    limit = int(max_mb * 2**20)
    if csv.field_size_limit() < limit:  # csv's default (128 KB) would reject a whole file for one long article
        csv.field_size_limit(limit)
    lines = text if isinstance(text, list) else split_lines(text)
    del text
    what = "TSV" if sep == "\t" else "CSV"
    try:
        reader = csv.reader(iter(lines), delimiter=sep)
        header = next(reader, None)
        while header is not None and not header:  # leading blank lines
            header = next(reader, None)
    except csv.Error as exc:
        raise Rejected("parse_error", f"cannot parse the header as {what} ({exc}): check its quoting") from None
    if header is None:
        raise Rejected("empty_file", "no header line and no rows")
    out = Delimited(header=unique_names(header))
    width = len(header)
    pos = reader.line_num  # lines consumed so far (0-based index of the next line)
    data_row = 0
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None), delimiter=sep)
        consumed = 0
        restart = None
        try:
            for fields in reader:
                first = pos + consumed  # 0-based index of this record's first line
                span = reader.line_num - consumed
                consumed = reader.line_num
                if not fields:
                    continue
                data_row += 1
                if len(fields) != width:
                    cause = (
                        "an unterminated quote, or a quote inside an unquoted cell"
                        if span > 1
                        else "check its delimiters and quoting"
                    )
                    out.rejects.append(
                        (
                            data_row,
                            first + 1,
                            f"line {first + 1}: {len(fields)} fields, the header has {width} ({cause})",
                        )
                    )
                    if span > 1:
                        restart = first + 1
                        break
                    continue
                out.rows.append(fields)
                out.row_numbers.append(data_row)
                out.line_numbers.append(first + 1)
        except csv.Error as exc:
            first = pos + consumed
            data_row += 1
            out.rejects.append((data_row, first + 1, f"line {first + 1}: cannot parse as {what} ({exc})"))
            restart = first + 1
        if restart is None:
            break
        pos = restart
    return out


__all__ = ["Delimited", "parse_delimited", "unique_names"]
