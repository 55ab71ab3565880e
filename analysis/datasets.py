"""The `fetch-data` command: public corpora fetched into data/raw with verified checksums, or a verified local copy."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from analysis import config, outputs
from analysis.errors import DataUnavailableError, ParameterError
from analysis.tables import save_json

log = logging.getLogger(__name__)
PROVENANCE_SUFFIX = ".provenance.json"  # written beside the data file; `ingest` skips it
MAX_DOWNLOAD_MB = 256  # a server sending more than this for a data set of a few MB is refused, not followed


@dataclass(frozen=True)
class Dataset:
    """A public corpus: where to fetch it and which byte versions are accepted (by checksum)."""

    name: str
    filename: str
    url: str
    doi: str
    md5: tuple[str, ...] = ()  # accepted md5 checksums (as published by the archive)
    sha256: tuple[str, ...] = ()  # accepted sha256 checksums (documented byte versions)
    local_env: str | None = None  # environment variable naming a local copy
    local_paths: tuple[Path, ...] = field(default_factory=tuple)
    citation: str = ""
    versions: dict = field(default_factory=dict)  # checksum -> description of that byte version


DATASETS = {
    "fakes": Dataset(
        name="fakes",
        filename="FA-KES-Dataset.csv",
        url="https://zenodo.org/records/2607278/files/FA-KES-Dataset.csv?download=1",
        doi="10.5281/zenodo.2607278",
        md5=("55d0ec452440a4ed46aac1e330b40e83",),
        sha256=("469f11ebebd4e887e6d37c3ae723c9382e0de4aa4b9d89b81c965538e927270e",),
        local_env="FAKES_LOCAL",
        local_paths=(config.SHARED_CORPORA / "fakes" / "FA-KES-Dataset.csv",),
        citation=(
            "Abu Salem, F. K., Al Feel, R., Elbassuoni, S., Jaber, M., Farah, M. (2019). FA-KES: A Fake News "
            "Dataset around the Syrian War. ICWSM 2019. Zenodo, doi:10.5281/zenodo.2607278"
        ),
        versions={
            "55d0ec452440a4ed46aac1e330b40e83": "Zenodo record 2607278 (md5 listed by Zenodo)",
            "469f11ebebd4e887e6d37c3ae723c9382e0de4aa4b9d89b81c965538e927270e": "GitHub copy (janardankeny/Fake_news_detection_chrome_extension@156ef37), 1,616,573 bytes, "
            "804 rows; same rows as the Zenodo release as far as could be checked",
        },
    ),
}
DEFAULT_DATASET = "fakes"


def checksums(path: str | os.PathLike) -> dict[str, str]:
    """md5 and sha256 of a file's bytes."""
    md5, sha = hashlib.md5(), hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            md5.update(block)
            sha.update(block)
    return {"md5": md5.hexdigest(), "sha256": sha.hexdigest()}


def verify(ds: Dataset, path: str | os.PathLike) -> dict[str, str] | None:
    """The checksums of ``path`` if they match an accepted version of ``ds``, else ``None``."""
    sums = checksums(path)
    if sums["md5"] in ds.md5 or sums["sha256"] in ds.sha256:
        return sums
    return None


def _version_of(ds: Dataset, sums: dict[str, str]) -> str:
    return ds.versions.get(sums["md5"]) or ds.versions.get(sums["sha256"]) or "accepted version"


def _download(ds: Dataset, dest: Path, timeout: float) -> Path:
    """Fetch ``ds.url`` into a temporary file beside ``dest`` (the caller verifies and moves it)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.{os.getpid()}.", suffix=".tmp", dir=dest.parent)
    cap = MAX_DOWNLOAD_MB * 2**20
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(ds.url, timeout=timeout) as resp:  # noqa: S310
            total = 0
            while block := resp.read(1 << 20):
                total += len(block)
                if total > cap:
                    raise ValueError(f"the server sent more than {MAX_DOWNLOAD_MB} MB")
                out.write(block)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _local_candidates(ds: Dataset, local: str | os.PathLike | None) -> list[Path]:
    cands = []
    if local:
        cands.append(Path(local))
    if ds.local_env and os.environ.get(ds.local_env):
        cands.append(Path(os.environ[ds.local_env]))
    cands.extend(ds.local_paths)
    return cands


def fetch_dataset(
    name: str = DEFAULT_DATASET,
    *,
    dest_dir: str | os.PathLike = config.RAW_DIR,
    local: str | os.PathLike | None = None,
    offline: bool = False,
    timeout: float = 15.0,
) -> dict:
    """Place dataset ``name`` in ``dest_dir`` and return its provenance record.

    Order: an already present, verified file (nothing to do); a download from the archive (verified by
    checksum); a local copy (``local``, then ``$FAKES_LOCAL``, then ``../shared/corpora``) whose checksum is one
    of the accepted versions. The provenance (source, version, checksums) is written to
    ``<file>.provenance.json`` beside the data file.
    """
    if name not in DATASETS:
        raise ParameterError(f"unknown dataset {name!r}: choose one of {', '.join(sorted(DATASETS))}")
    ds = DATASETS[name]
    dest_dir = outputs.prepare_folder(dest_dir, option="--dest")  # a bad --dest fails now, clearly
    outputs.clean_debris(dest_dir, "fetch", [ds.filename, ds.filename + PROVENANCE_SUFFIX])  # killed earlier runs
    dest = dest_dir / ds.filename
    prov_path = dest.with_name(dest.name + PROVENANCE_SUFFIX)
    if dest.exists():
        sums = verify(ds, dest)
        if sums:
            prov = _provenance(ds, dest, sums, "already present", None)
            if prov_path.exists():
                try:
                    old = json.loads(prov_path.read_text(encoding="utf-8"))
                    if old.get("sha256") == sums["sha256"]:
                        old["status"] = "already present and verified; nothing to do"
                        return old
                except ValueError:
                    pass
            save_json(prov, prov_path)
            prov["status"] = "already present and verified; provenance re-recorded"
            return prov
        log.warning("%s exists but matches no accepted checksum of %s: fetching it again", dest, name)
    errors = []
    if not offline:
        try:
            tmp = _download(ds, dest, timeout)
            sums = verify(ds, tmp)
            if sums:
                os.chmod(tmp, 0o644)
                os.replace(tmp, dest)
                prov = _provenance(ds, dest, sums, "download", ds.url)
                save_json(prov, prov_path)
                prov["status"] = f"downloaded from {ds.url}"
                return prov
            got = checksums(tmp)
            tmp.unlink(missing_ok=True)
            errors.append(f"download checksum mismatch (md5 {got['md5']})")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(f"download failed ({getattr(exc, 'reason', exc)})")
    for cand in _local_candidates(ds, local):
        if not cand.is_file():
            continue
        sums = verify(ds, cand)
        if not sums:
            errors.append(f"local copy {cand} has an unknown checksum")
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.{os.getpid()}.", suffix=".tmp", dir=dest_dir)
        os.close(fd)
        try:
            shutil.copyfile(cand, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        finally:
            Path(tmp).unlink(missing_ok=True)
        prov = _provenance(ds, dest, sums, "local copy", str(cand))
        save_json(prov, prov_path)
        prov["status"] = f"copied from local file {cand}"
        return prov
    hint = f"set {ds.local_env}=/path/to/{ds.filename}" if ds.local_env else "pass --local PATH"
    raise DataUnavailableError(
        f"could not fetch {name} ({'; '.join(errors) or 'no local copy found'}): connect "
        f"to the internet, or {hint} (accepted: md5 {', '.join(ds.md5)} or sha256 "
        f"{', '.join(s[:12] + '…' for s in ds.sha256)})"
    )


def _provenance(ds: Dataset, dest: Path, sums: dict, source: str, origin: str | None) -> dict:
    return {
        "dataset": ds.name,
        "file": dest.name,
        "doi": ds.doi,
        "url": ds.url,
        "source": source,
        "origin": origin,
        "md5": sums["md5"],
        "sha256": sums["sha256"],
        "bytes": dest.stat().st_size,
        "version": _version_of(ds, sums),
        "citation": ds.citation,
    }


def register_cli(subparsers) -> None:
    """Add the ``fetch-data`` command."""
    p = subparsers.add_parser(
        "fetch-data",
        help="fetch the default corpus (FA-KES) into data/raw, checksum-verified",
        description="Download FA-KES from Zenodo (DOI 10.5281/zenodo.2607278) into data/raw and verify its md5; "
        "without network, copy a local file ($FAKES_LOCAL or ../shared/corpora/fakes) whose checksum "
        "is an accepted version. Provenance goes to <file>.provenance.json beside it.",
    )
    p.add_argument(
        "dataset", nargs="?", default=DEFAULT_DATASET, choices=sorted(DATASETS), help="dataset (default: %(default)s)"
    )
    p.add_argument("--dest", default=str(config.RAW_DIR), help="folder (default: %(default)s)")
    p.add_argument("--local", help="a local copy to use when the download fails")
    p.add_argument("--offline", action="store_true", help="do not try the network")
    p.add_argument("--timeout", type=float, default=15.0, help="download timeout in seconds (default: %(default)s)")
    p.set_defaults(func=_cli)


def _cli(args) -> int:
    prov = fetch_dataset(args.dataset, dest_dir=args.dest, local=args.local, offline=args.offline, timeout=args.timeout)
    print(f"{prov['dataset']}: {Path(args.dest) / prov['file']} — {prov['status']}")
    print(f"  version: {prov['version']}; md5 {prov['md5']}; sha256 {prov['sha256']}")
    return 0
