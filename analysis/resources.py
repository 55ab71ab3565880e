"""Every resource file (YAML in ``analysis/resources/`` or a user's own): one reader, one override rule, versions.

The override rule, the same for every resource (boilerplate rules, agencies, actor dictionary, frame codebook,
conflict language, attribution rules, stopwords, events):

- A user file **replaces** the built-in file, unless it **extends** it.
- It extends the built-in file when its top level says ``extends: builtin`` (or the loader is called with
  ``extend=True``; loaders whose files are patches by nature -- boilerplate rules, agencies, the actor
  dictionary -- default to extending, and a file can opt out with ``extends: none``).
- Extending merges each list of entries **by id** (the entry's ``id``, ``name`` or ``lemma``): an entry with the
  id of a built-in entry replaces it, ``enabled: false`` removes it, new ids are appended in file order; other
  top-level keys the user file does not set are taken from the built-in file.
- One entry can extend the entry with its id instead of replacing it: it says ``extends: builtin`` and gives
  only what it adds (e.g. one alias); its list keys are appended to, other keys it sets replace
  (:func:`extend_entry`; used by the actor dictionary).
- The version of the merged resource is ``<builtin version>+<user version>``.

Every error names the file and the entry and says what to fix (:class:`analysis.errors.ResourceError`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from analysis import config
from analysis.errors import ResourceError

T = TypeVar("T")

EXTENDS_KEY = "extends"


def resource_path(source: str | os.PathLike | None, default: str, *, what: str = "resource file") -> Path:
    """The path of ``source``, or of the built-in resource ``default`` when ``source`` is None; it must exist."""
    path = config.resource(default) if source is None else Path(source)
    if not path.is_file():
        raise ResourceError(
            f"{what} {path} does not exist: pass an existing YAML file or None for the built-in {default}"
        )
    return path


# libyaml's safe loader when PyYAML was built with it (10x faster than the pure-Python one, same objects:
# tests/test_resources.py compares both on every built-in resource); the pure-Python safe loader otherwise
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _PlainDocument(Exception):
    """A node that :class:`_ResourceLoader`'s short path does not build (another tag, a merge key, a list key)."""


class _ResourceLoader(_SAFE_LOADER):
    """The safe loader, building plain documents (mappings, lists, strings) with fewer Python calls.

    Both halves of PyYAML's safe loading run Python code per node, even with libyaml: the tag of each plain scalar
    is resolved by regular expressions, and each node is built through the constructor's generic dispatch. Here a
    scalar's tag is worked out once per distinct (value, style) in a document (keys such as ``id`` and ``label``
    repeat thousands of times), and the mappings, lists and strings are built directly; every other node (numbers,
    booleans, nulls, dates) by the safe constructor itself. A document with another tag, a merge key (``<<``) or an
    unhashable key is built by the safe constructor from the start, with its errors. The same objects
    (tests/test_resources.py); the built-in resources load with a quarter fewer instructions (the forkserver of
    ``analyze --jobs`` loads them before any worker starts).
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._tags: dict = {}

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag

    def construct_document(self, node):
        built: dict[int, object] = {}  # containers by node: an alias gives the same object, as in PyYAML

        def build(node):
            kind = type(node)
            if kind is yaml.ScalarNode:
                return node.value if node.tag == _STR else self.construct_object(node, deep=True)
            if id(node) in built:
                return built[id(node)]
            if kind is yaml.MappingNode and node.tag == _MAP:
                mapping: dict = {}
                built[id(node)] = mapping
                for key_node, value_node in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise _PlainDocument
                    key = build(key_node)
                    mapping[key] = build(value_node)  # an unhashable key: TypeError
                return mapping
            if kind is yaml.SequenceNode and node.tag == _SEQ:
                sequence: list = []
                built[id(node)] = sequence
                sequence.extend(build(item) for item in node.value)
                return sequence
            raise _PlainDocument

        try:
            data = build(node)
        except (_PlainDocument, TypeError):
            self.constructed_objects, self.recursive_objects = {}, {}
            return super().construct_document(node)
        self.constructed_objects, self.recursive_objects = {}, {}
        return data


YAML_LOADER = _ResourceLoader


def load_yaml(path: str | os.PathLike, *, what: str = "resource file") -> Any:
    """The content of one YAML file, read with the safe loader; any problem is one ResourceError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ResourceError(f"{what} {path} does not exist: check the path")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ResourceError(f"{what} {path} is not UTF-8 text: save it as UTF-8") from exc
    except OSError as exc:
        raise ResourceError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ResourceError(
            f"{what} {path} cannot be read as YAML: not valid YAML{where} ({problem}); fix its syntax"
        ) from None
    except ValueError as exc:  # PyYAML parses YYYY-MM-DD itself and fails on impossible dates
        raise ResourceError(f"{what} {path} has a date that is not a date ({exc}): write dates as YYYY-MM-DD") from None


def load_mapping(path: str | os.PathLike, *, what: str = "resource file", version: bool = True) -> dict:
    """A YAML file whose top level is a mapping (with a ``version:`` key unless ``version=False``)."""
    data = load_yaml(path, what=what)
    if not isinstance(data, dict) or (version and "version" not in data):
        raise ResourceError(f"{what} {path}: expected a mapping with a `version:` key at the top level")
    return data


def check_keys(entry, allowed: set[str], required: set[str], where: str) -> None:
    """Raise a ResourceError naming ``where`` when ``entry`` is not a mapping or has unknown or missing keys."""
    if not isinstance(entry, dict):
        raise ResourceError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - allowed
    if unknown:
        raise ResourceError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(entry)
    if missing:
        raise ResourceError(f"{where}: missing key(s) {sorted(missing)}")


def merge_by_id(base: list, extra: list | None, key: str, *, where: str = "") -> list:
    """The override rule for one list: ``extra`` entries replace ``base`` entries with the same ``key``, new ones are
    appended, and an entry with ``enabled: false`` removes that id. Order: base order, then new ids in file order."""
    out = {e[key]: e for e in base}
    order = [e[key] for e in base]
    for i, entry in enumerate(extra or []):
        if not isinstance(entry, dict) or key not in entry:
            raise ResourceError(f"{where or 'user file'}: entry #{i + 1} needs a `{key}:`")
        if entry[key] not in out:
            order.append(entry[key])
        out[entry[key]] = entry
    return [out[k] for k in order if out[k].get("enabled", True) is not False]


def extend_entry(base: dict, extra: dict, lists: tuple[str, ...] = ()) -> dict:
    """The override rule for one entry that says ``extends: builtin``: the keys ``extra`` sets replace those of
    ``base`` (the earlier entry with its id), except the list keys in ``lists``, which are appended to (no repeats)."""
    out = dict(base)
    for key, value in extra.items():
        if key == EXTENDS_KEY:
            continue
        if key in lists:
            value = [value] if isinstance(value, str) else list(value or [])
            out[key] = list(dict.fromkeys([*(base.get(key) or []), *value]))
        else:
            out[key] = value
    return out


def wants_extend(data: dict, path: Path, *, default: bool) -> bool:
    """Whether a user file extends the built-in one: its ``extends:`` key (builtin / none), else ``default``."""
    value = data.pop(EXTENDS_KEY, None)
    if value is None:
        return default
    if value not in ("builtin", "none"):
        raise ResourceError(f"{path}: `extends:` must be `builtin` or `none` (or be left out)")
    return value == "builtin"


def merge_resource(base: dict, user: dict, lists: dict[str, str], *, where: str = "") -> dict:
    """``user`` merged into ``base`` by the override rule: each list key of ``lists`` (list key -> id key) is merged
    by id, other keys the user does not set come from ``base``, and the version is ``base+user``."""
    data = dict(user)
    for list_key, id_key in lists.items():
        if list_key in data or list_key in base:
            data[list_key] = merge_by_id(base.get(list_key) or [], data.get(list_key) or [], id_key, where=where)
    for k, v in base.items():
        data.setdefault(k, v)
    data["version"] = f"{base.get('version', '?')}+{user.get('version', '?')}"
    return data


def load_resource(
    source: str | os.PathLike | None,
    default: str,
    *,
    lists: dict[str, str],
    extend: bool = False,
    what: str = "resource file",
) -> tuple[Path, dict]:
    """Read a resource by the override rule: the built-in ``default`` when ``source`` is None, else the user file,
    merged into the built-in one when it extends it (see the module docstring). Returns (path, data)."""
    path = resource_path(source, default, what=what)
    data = dict(load_mapping(path, what=what))
    builtin = config.resource(default)
    if source is not None and path.resolve() != builtin.resolve():
        if wants_extend(data, path, default=extend):
            data = merge_resource(load_mapping(builtin, what=what), data, lists, where=str(path))
    else:
        data.pop(EXTENDS_KEY, None)
    return path, data


def compile_cues(cues, where: str, *, flags: int = re.IGNORECASE) -> re.Pattern:
    """One regex for a list of cue patterns, each wrapped in implicit word boundaries; bad patterns name ``where``."""
    if isinstance(cues, str):
        cues = [cues]
    if not cues or not all(isinstance(c, str) and c.strip() for c in cues):
        raise ResourceError(f"{where}: needs at least one non-empty pattern string")
    for cue in cues:
        try:
            re.compile(cue)
        except re.error as exc:
            raise ResourceError(f"{where}: invalid pattern {cue!r} ({exc}); fix the regular expression") from exc
    body = "|".join(f"(?:{c})" for c in cues)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


def load_parsed(source: str | os.PathLike | None, default: str, parse: Callable[[Path], T]) -> T:
    """``parse(path)`` of the resource ``source`` (None: the built-in ``default``), cached per process.

    The one cache of every parsed resource (codebook, lexicon, attribution rules): keyed by the file and its mtime,
    so an edited file is read again and an unchanged one is parsed once.
    """
    path = resource_path(source, default)
    return _parse_cached(parse, str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _parse_cached(parse: Callable[[Path], T], path_str: str, _mtime: int) -> T:
    return parse(Path(path_str))


@lru_cache(maxsize=64)
def _sha256(path_str: str, _mtime: int) -> str:
    return hashlib.sha256(Path(path_str).read_bytes()).hexdigest()


def file_version(path: str | os.PathLike) -> dict[str, str]:
    """``{"version": <the file's version: key>, "sha256": <hex digest of its bytes>}`` for a resource file."""
    path = Path(path)
    try:
        match = re.search(r"^version:\s*[\"']?([^\"'\n#]+)", path.read_text(encoding="utf-8"), re.M)
    except (OSError, UnicodeDecodeError):
        return {"version": "missing", "sha256": ""}
    return {
        "version": match.group(1).strip() if match else "unversioned",
        "sha256": _sha256(str(path), path.stat().st_mtime_ns),
    }


def resource_versions(*names: str, **named: str) -> dict[str, dict[str, str]]:
    """Version and sha256 of built-in resource files, for a stage's RESOURCE_VERSIONS in manifest.json: keyed by
    file name for ``names``, by the keyword for ``named`` (``frames="frames.yaml"``)."""
    files = {**{name: name for name in names}, **named}
    return {key: file_version(config.resource(name)) for key, name in files.items()}
