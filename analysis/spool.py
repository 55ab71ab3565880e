"""Streaming tables on disk: a spool of row batches read back in any order, a parquet writer that writes row groups
as they come (the same file :func:`analysis.tables.save_table` writes), and the corpus fingerprint over spooled rows.

Ingest cleans its corpus batch by batch but can only write it once the whole run is known (the day/month order of
dates, duplicate marks, the final order): the batches wait here, on disk, instead of in memory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from array import array
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.tables import ROW_GROUP_ROWS


class RowSpool:
    """Batches of Python objects appended to a temporary file, read back by batch number (a few kept in memory).

    The file holds only what this process wrote in this run and is deleted on :meth:`close`; pickle is the exact
    round trip of every value a reader can produce (str, int, float, dates, None)."""

    def __init__(self, folder: str | os.PathLike, *, cache: int = 8):
        fd, self.path = tempfile.mkstemp(prefix=".spool.", suffix=".tmp", dir=folder)
        self._fh = os.fdopen(fd, "w+b")
        self._offsets: list[int] = []
        self._cache: OrderedDict[int, object] = OrderedDict()
        self._cache_size = cache

    def append(self, batch: object) -> int:
        """Spool ``batch``; its number."""
        self._fh.seek(0, os.SEEK_END)
        self._offsets.append(self._fh.tell())
        pickle.dump(batch, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        return len(self._offsets) - 1

    def __len__(self) -> int:
        return len(self._offsets)

    def get(self, i: int) -> object:
        """Batch ``i`` as appended."""
        if i in self._cache:
            self._cache.move_to_end(i)
            return self._cache[i]
        self._fh.seek(self._offsets[i])
        batch = pickle.load(self._fh)
        self._cache[i] = batch
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return batch

    def close(self) -> None:
        self._cache.clear()
        self._fh.close()
        Path(self.path).unlink(missing_ok=True)


class ParquetStream:
    """Write a table frame by frame into row groups of :data:`ROW_GROUP_ROWS` rows, with the bytes that
    ``save_table`` gives for the whole table (same schema, compression and row groups), then install it atomically.

    Frames must share their columns and dtypes. With no rows at all, ``empty`` (a frame with the right columns)
    is written instead."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.{os.getpid()}.", suffix=".tmp", dir=self.path.parent
        )
        os.close(fd)
        self._writer = None
        self._pending: list[pd.DataFrame] = []
        self._n_pending = 0
        self.rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self._pending.append(frame)
            self._n_pending += len(frame)
        while self._n_pending >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, n: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = self._pending[0] if len(self._pending) == 1 else pd.concat(self._pending, ignore_index=True)
        head, rest = frame.iloc[:n], frame.iloc[n:]
        self._pending, self._n_pending = ([rest] if len(rest) else []), len(rest)
        table = pa.Table.from_pandas(head, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.rows += len(head)

    def close(self, empty: pd.DataFrame) -> Path:
        """Finish the file (``empty`` when nothing was written) and move it into place."""
        from analysis.tables import save_table

        try:
            if self._n_pending:
                self._flush(self._n_pending)
            if self._writer is None:
                Path(self._tmp).unlink(missing_ok=True)
                return save_table(empty, self.path)
            self._writer.close()
            os.chmod(self._tmp, 0o644)
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the run's own error matters, not the half-written file's
                pass
        Path(self._tmp).unlink(missing_ok=True)


class FingerprintSpool:
    """:func:`analysis.provenance.fingerprint_corpus` over rows given in any order: each row's bytes are spooled
    to a temporary file, then hashed in ``doc_id`` order (memory: an 8-byte offset and the UTF-8 id per row;
    UTF-8 bytes sort as the code points that ``fingerprint_corpus`` sorts by)."""

    def __init__(self, folder: str | os.PathLike):
        fd, self.path = tempfile.mkstemp(prefix=".fingerprint.", suffix=".tmp", dir=folder)
        self._fh = os.fdopen(fd, "w+b")
        self._ids: list[np.ndarray] = []
        self._offsets = array("q", [0])

    def add(self, rows: pd.DataFrame) -> None:
        """Rows with the fingerprint columns (``doc_id`` first), as ``fingerprint_corpus`` would see them."""
        values = rows.astype("string").fillna("\x00")
        # the columns as object arrays of str once: iterating the Arrow-backed columns row by row costs 3x more
        cols = [values[c].to_numpy(dtype=object) for c in values.columns]
        self._ids.append(np.array([i.encode("utf-8") for i in cols[0]], dtype=bytes))
        for row in zip(*cols):
            data = "\x1f".join(row).encode("utf-8") + b"\x1e"
            self._fh.write(data)
            self._offsets.append(self._offsets[-1] + len(data))

    def hexdigest(self) -> str:
        ids = np.concatenate(self._ids) if self._ids else np.empty(0, dtype=bytes)
        offsets = np.frombuffer(self._offsets, dtype=np.int64)
        digest = hashlib.sha256()
        self._fh.flush()
        for i in np.argsort(ids, kind="stable"):
            self._fh.seek(offsets[i])
            digest.update(self._fh.read(offsets[i + 1] - offsets[i]))
        return digest.hexdigest()

    def close(self) -> None:
        self._fh.close()
        Path(self.path).unlink(missing_ok=True)
