"""Inputs and outputs on shared or object storage (``s3://``, ``gs://``, ``memory://``, ...) through fsspec.

A command reads a remote input through a local staging copy and builds its outputs in a local folder; the finished
set is then uploaded, the manifest last, so a reader of the remote folder never sees a manifest beside missing or
older tables. Plain paths (and ``file://`` URLs) are used in place, without fsspec.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import InputError

_LOCAL_PROTOCOLS = {"file", "local"}


def is_remote(path: str | os.PathLike) -> bool:
    """True for an fsspec URL other than a local file (``s3://bucket/x``, ``memory://x``)."""
    text = str(path)
    protocol, sep, _ = text.partition("://")
    return bool(sep) and protocol.lower() not in _LOCAL_PROTOCOLS


def local_path(path: str | os.PathLike) -> Path:
    """A local path for ``path``, dropping a ``file://`` prefix."""
    text = str(path)
    return Path(text[len("file://") :] if text.startswith("file://") else text)


def _filesystem(url: str):
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise InputError(
            f"{url}: no filesystem for this URL ({exc}); install the fsspec driver for it (e.g. s3fs, gcsfs)"
        ) from exc
    return fs, root


@contextlib.contextmanager
def staged_input(path: str | os.PathLike) -> Iterator[Path]:
    """A local copy of a remote file or folder for the duration of the block; a local path is yielded as it is."""
    if not is_remote(path):
        yield local_path(path)
        return
    url = str(path)
    fs, root = _filesystem(url)
    if not fs.exists(root):
        raise InputError(f"{url} does not exist")
    with tempfile.TemporaryDirectory(prefix="analysis-stage-") as tmp:
        target = Path(tmp) / (Path(root.rstrip("/")).name or "input")
        if fs.isdir(root):
            fs.get(root.rstrip("/") + "/", str(target), recursive=True)
        else:
            fs.get(root, str(target))
        yield target


@contextlib.contextmanager
def staged_output(path: str | os.PathLike, *, last: str | None = None) -> Iterator[Path]:
    """A local folder to build outputs in; for a remote ``path`` it is uploaded when the block succeeds.

    Files are uploaded in name order with ``last`` (e.g. the manifest) uploaded after all the others. Nothing is
    uploaded when the block raises.
    """
    if not is_remote(path):
        yield local_path(path)
        return
    url = str(path).rstrip("/")
    fs, root = _filesystem(url)
    with tempfile.TemporaryDirectory(prefix="analysis-out-") as tmp:
        local = Path(tmp) / "out"
        local.mkdir()
        yield local
        files = sorted(p for p in local.rglob("*") if p.is_file())
        files.sort(key=lambda p: p.name == last)  # stable: `last` goes to the end
        fs.makedirs(root, exist_ok=True)
        for file in files:
            rel = file.relative_to(local).as_posix()
            fs.put_file(str(file), f"{root}/{rel}")


def join(base: str | os.PathLike, name: str) -> str | Path:
    """``base/name`` as a URL for a remote base, else as a Path."""
    if is_remote(base):
        return f"{str(base).rstrip('/')}/{name}"
    return local_path(base) / name


def exists(path: str | os.PathLike) -> bool:
    if not is_remote(path):
        return local_path(path).exists()
    fs, root = _filesystem(str(path))
    return fs.exists(root)


def read_text(path: str | os.PathLike) -> str:
    if not is_remote(path):
        return local_path(path).read_text(encoding="utf-8")
    fs, root = _filesystem(str(path))
    return fs.cat_file(root).decode("utf-8")


def list_stems(folder: str | os.PathLike, suffix: str) -> list[str]:
    """Names (without ``suffix``) of the files directly in ``folder`` that end in ``suffix``, sorted."""
    if not is_remote(folder):
        return sorted(p.name[: -len(suffix)] for p in local_path(folder).glob(f"*{suffix}"))
    fs, root = _filesystem(str(folder))
    names = [p.rsplit("/", 1)[-1] for p in fs.ls(root, detail=False)] if fs.exists(root) else []
    return sorted(n[: -len(suffix)] for n in names if n.endswith(suffix))
