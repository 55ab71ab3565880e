"""Input files found and read safely: regular files only, one identity per file, size caps, every skip with its reason.

Every reader of raw input (ingest's text, HTML, CSV/TSV and JSONL readers, and any reader added later) gets its
bytes from :func:`read_source_bytes` and its text from :func:`decode_source`, and signals a file or row it cannot use
by raising :class:`Rejected` (reason, detail): the rejection lands in ``rejects.parquet``. Files that a folder walk
passes over are returned by :func:`find_input_files` as skips, each with a reason, and listed in the ingest manifest.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis import clean
from analysis.errors import InputError

# Per-file cap on the bytes read, and on what a .gz file expands to (ingest --max-file-mb).
DEFAULT_MAX_FILE_MB = 512
# Share of a text's bytes that may be invalid UTF-8 (repaired, or replaced by U+FFFD) before the file is refused.
MAX_UNDECODABLE_SHARE = 0.05

# Files a folder walk passes over (listed in the manifest as skipped, with the reason).
SKIP_RULES = (
    (re.compile(r"^README(\..*)?$", re.I), "documentation", "a README, not an article"),
    (re.compile(r"\.meta\.(json|ya?ml)$", re.I), "sidecar", "metadata sidecar, read with its article"),
    (re.compile(r"\.provenance\.json$", re.I), "provenance", "provenance written by fetch-data"),
    (re.compile(r"^\."), "hidden_file", "hidden file (name starts with '.')"),
)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Rejected(Exception):
    """A file (or row) that cannot become an article: ``reason`` is a short code, ``detail`` says what to do."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def display_path(path: str | os.PathLike) -> str:
    """``path`` as text that can always be written (parquet, JSON, a terminal): bytes of a file name that are not
    valid UTF-8, and control characters, become ``\\xNN`` escapes."""
    raw = os.fsencode(path)
    text = raw.decode("utf-8", errors="backslashreplace")
    # control characters (a newline, a terminal escape sequence) in a name must not reach logs or terminals raw
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def skip_rule(name: str) -> tuple[str, str] | None:
    """(reason, detail) when a folder walk passes over a file called ``name``, else None."""
    for pattern, reason, detail in SKIP_RULES:
        if pattern.search(name):
            return reason, detail
    return None


def find_input_files(
    inputs: Sequence[str | os.PathLike], *, exclude: Iterable[str | os.PathLike] = ()
) -> tuple[list[str], list[dict]]:
    """The files to read under ``inputs`` and the skipped ones, each ``{"path", "reason", "detail"}``.

    Files given by name are read as given; folders are walked recursively in sorted order, following symlinked
    folders once (a loop or a folder already walked is a skip). Hidden folders, unreadable folders, READMEs,
    sidecars and provenance files are skips. A file reached twice (an alias path such as ``a/../a/x.txt``, a
    symlink, overlapping inputs) is read once: files are identified by their resolved path. ``exclude`` (the
    command's own outputs) are skipped as ``own_output``. A missing input is an :class:`InputError`.
    """
    excluded = {os.path.realpath(p) for p in exclude}
    files: list[str] = []
    skips: list[dict] = []
    seen_files: dict[str, str] = {}
    seen_dirs: dict[str, str] = {}

    def skip(path: str, reason: str, detail: str) -> None:
        skips.append({"path": display_path(path), "reason": reason, "detail": detail})

    def add(path: str) -> None:
        real = os.path.realpath(path)
        if real in excluded:
            skip(path, "own_output", "an output of this run (--out is inside the input folder)")
        elif real in seen_files:
            skip(path, "same_file", f"the same file as {display_path(seen_files[real])}, read once")
        else:
            seen_files[real] = path
            files.append(path)

    for item in inputs:
        p = os.fspath(item)
        if os.path.isdir(p):
            real = os.path.realpath(p)
            if real in seen_dirs:
                skip(p, "same_folder", f"the same folder as {display_path(seen_dirs[real])}, walked once")
                continue
            seen_dirs[real] = p
            errors: list[OSError] = []
            for root, dirs, names in os.walk(p, followlinks=True, onerror=errors.append):
                kept = []
                for d in sorted(dirs):
                    sub = os.path.join(root, d)
                    if d.startswith("."):
                        skip(sub, "hidden_folder", "hidden folder (name starts with '.'), not read")
                        continue
                    real = os.path.realpath(sub)
                    if real in seen_dirs:
                        skip(sub, "same_folder", f"the same folder as {display_path(seen_dirs[real])}, walked once")
                        continue
                    seen_dirs[real] = sub
                    kept.append(d)
                dirs[:] = kept
                for name in sorted(names):
                    f = os.path.join(root, name)
                    rule = skip_rule(name)
                    if rule:
                        skip(f, *rule)
                    else:
                        add(f)
            for exc in errors:
                skip(
                    exc.filename or p,
                    "unreadable_folder",
                    f"cannot list the folder ({exc.strerror or exc}): make it readable",
                )
        elif os.path.lexists(p):
            add(p)
        else:
            raise InputError(
                f"input {display_path(p)!r} does not exist: check the path (files or folders of "
                ".txt/.html/.csv/.tsv/.jsonl articles)"
            )
    order = sorted(range(len(files)), key=lambda i: Path(files[i]).as_posix())
    skips.sort(key=lambda s: (s["path"], s["reason"]))
    return [Path(files[i]).as_posix() for i in order], skips


def _gunzip(data: bytes, cap: int) -> bytes:
    """Decompress every member of a gzip stream, refusing to produce more than ``cap`` bytes (a gzip bomb is a
    rejection, not a MemoryError). zlib directly rather than the gzip module: it can stop at a byte limit."""
    out = bytearray()
    buf = data
    while buf:
        d = zlib.decompressobj(wbits=31)
        while True:
            try:
                chunk = d.decompress(buf, cap + 1 - len(out))
            except zlib.error as exc:
                raise Rejected("undecodable", f"not a valid gzip file ({exc})") from None
            out += chunk
            if len(out) > cap:
                raise Rejected(
                    "too_large",
                    f"expands to more than {cap // 2**20} MB when decompressed: split it, or raise --max-file-mb",
                )
            if d.eof:
                buf = d.unused_data
                break
            if not d.unconsumed_tail and not chunk:
                raise Rejected("undecodable", "not a valid gzip file (truncated)")
            buf = d.unconsumed_tail
        if not buf.strip(b"\x00"):  # trailing padding after the last member, as gzip tolerates
            break
    return bytes(out)


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_source_bytes(path: str, *, gz: bool = False, max_mb: float = DEFAULT_MAX_FILE_MB) -> tuple[bytes, bytes]:
    """(the file's bytes, its content: decompressed when ``gz``). Only regular files are read (a FIFO, device or
    socket, also behind a symlink, is a rejection and never blocks), and neither may exceed ``max_mb``."""
    cap = int(max_mb * 2**20)
    fd = _open_regular(path, max_mb)
    try:
        chunks, total = [], 0
        while total <= cap:
            block = os.read(fd, min(1 << 20, cap + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
        if total > cap:  # the file grew while being read
            raise Rejected("too_large", f"over the {max_mb:g} MB limit: split it, or raise --max-file-mb")
        raw = b"".join(chunks)
    except OSError as exc:
        raise Rejected("unreadable", f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    return raw, (_gunzip(raw, cap) if gz else raw)


class FileSource:
    """A regular file read as a stream: what :func:`read_source_bytes` checks and the sha256 of its bytes, from one
    pass over the file in 1 MB blocks (:func:`scan_source`), without holding its bytes; ``open()`` reads it again.

    ``head``: the first ``head_bytes`` bytes; ``blank``: only ASCII whitespace (``not data.strip()``)."""

    def __init__(self, path: str, sha256: str, size: int, head: bytes, blank: bool):
        self.path, self.sha256, self.size, self.head, self.blank = path, sha256, size, head, blank

    def open(self):
        """The file's bytes from the start, as a binary file object."""
        try:
            return open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        except OSError as exc:
            raise Rejected("unreadable", f"cannot open the file ({exc.strerror or exc})") from None

    def read(self) -> bytes:
        """All the bytes (for the rare inputs read whole, e.g. UTF-16)."""
        with self.open() as f:
            return f.read()


def scan_source(path: str, *, max_mb: float = DEFAULT_MAX_FILE_MB, head_bytes: int = 256_000) -> FileSource:
    """A plain (not gzipped) file checked as :func:`read_source_bytes` checks it, hashed, not kept in memory."""
    import hashlib

    cap = int(max_mb * 2**20)
    fd = _open_regular(path, max_mb)
    digest, head, total, blank = hashlib.sha256(), b"", 0, True
    try:
        while total <= cap:
            block = os.read(fd, min(1 << 20, cap + 1 - total))
            if not block:
                break
            digest.update(block)
            if len(head) < head_bytes:
                head += block[: head_bytes - len(head)]
            blank = blank and not block.strip()
            total += len(block)
        if total > cap:  # the file grew while being read
            raise Rejected("too_large", f"over the {max_mb:g} MB limit: split it, or raise --max-file-mb")
    except OSError as exc:
        raise Rejected("unreadable", f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    return FileSource(path, digest.hexdigest(), total, head, blank)


def _open_regular(path: str, max_mb: float) -> int:
    """A read-only descriptor of ``path`` once it is known to be a regular file within ``max_mb``."""
    cap = int(max_mb * 2**20)
    try:  # checked before opening too: opening a socket fails, opening a FIFO for writing blocks
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise Rejected("not_a_file", f"{_kind_of(mode)}, not a regular file: only regular files are read")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError as exc:
        raise Rejected("unreadable", f"permission denied ({exc.strerror}): make the file readable") from None
    except OSError as exc:
        raise Rejected("unreadable", f"cannot open the file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Rejected("not_a_file", f"{_kind_of(st.st_mode)}, not a regular file: only regular files are read")
        if st.st_size > cap:
            raise Rejected(
                "too_large",
                f"{st.st_size / 2**20:.0f} MB, over the {max_mb:g} MB limit: split it, or raise --max-file-mb",
            )
    except OSError as exc:
        os.close(fd)
        raise Rejected("unreadable", f"cannot read the file ({exc.strerror or exc})") from None
    except Rejected:
        os.close(fd)
        raise
    return fd


def check_archive(data: bytes, *, max_mb: float = DEFAULT_MAX_FILE_MB) -> None:
    """Reject a ZIP container (.docx) whose members would expand beyond ``max_mb`` (a zip bomb): checked on the
    sizes the archive declares, which zipfile enforces while reading, before any reader opens it."""
    if data[:4] != b"PK\x03\x04":
        return
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # a damaged container: its reader says why it cannot be read
    if total > max_mb * 2**20:
        raise Rejected(
            "too_large",
            f"expands to {total / 2**20:.0f} MB when unpacked, over the {max_mb:g} MB limit (--max-file-mb)",
        )


def check_text_bytes(data: bytes) -> None:
    """Reject content that is empty or binary (NUL or control bytes): the checks every text reader makes first."""
    if not data.strip():
        raise Rejected("empty_file", "the file is empty")
    if clean.looks_binary(data):
        raise Rejected("binary", "binary content (NUL or control bytes), not text: remove it or convert it to text")


def check_undecodable(text: str, repaired: int, n_bytes: int) -> None:
    """Reject a decoded text when more than :data:`MAX_UNDECODABLE_SHARE` of its bytes were not valid UTF-8 (random
    bytes or a wrong encoding decode to mojibake, not an article)."""
    bad = text.count("\ufffd") + repaired
    if bad > max(20, n_bytes * MAX_UNDECODABLE_SHARE):
        raise Rejected(
            "undecodable",
            f"{bad} of {n_bytes} bytes are not valid UTF-8 (over {MAX_UNDECODABLE_SHARE:.0%}): "
            "convert the file to UTF-8",
        )


def decode_source(data: bytes, rules: clean.Rules | None = None) -> tuple[str, int]:
    """(text, bytes repaired) of a one-article file: empty, binary and mostly-undecodable content is rejected."""
    check_text_bytes(data)
    text, repaired = clean.decode_bytes(data, rules)
    check_undecodable(text, repaired, len(data))
    return text, repaired


__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "FileSource",
    "Rejected",
    "check_archive",
    "check_text_bytes",
    "check_undecodable",
    "decode_source",
    "display_path",
    "find_input_files",
    "read_source_bytes",
    "scan_source",
    "skip_rule",
]
