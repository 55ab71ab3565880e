"""One YAML reader, one override rule and versions (version key + sha256) for every resource."""

from __future__ import annotations

import hashlib

import pytest

from analysis import actors, clean, config, frames, resources, stages, text, timeseries
from analysis.errors import ResourceError


def test_load_yaml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nlist: [\n")
    with pytest.raises(ResourceError, match=r"bad\.yaml cannot be read as YAML: not valid YAML at line"):
        resources.load_yaml(bad, what="my file")
    with pytest.raises(ResourceError, match="does not exist"):
        resources.load_yaml(tmp_path / "none.yaml")
    (tmp_path / "latin.yaml").write_bytes("version: 1\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ResourceError, match="not UTF-8"):
        resources.load_yaml(tmp_path / "latin.yaml")


@pytest.mark.parametrize(
    "loader, body, message",
    [
        (clean.load_rules, "version: 1\nline: [\n", "cannot be read as YAML"),
        (actors.load_dictionary, "version: '1'\nactors: [\n", "not valid YAML"),
        (frames.load_codebook, "version: '1'\nframes: [\n", "not valid YAML"),
        (frames.load_conflict_language, "version: '1'\nlabels: [\n", "not valid YAML"),
        (frames.load_attribution_rules, "version: '1'\nverbs: [\n", "not valid YAML"),
        (text.load_stopwords, "version: 1\nwords: [\n", "not valid YAML"),
        (timeseries.load_events, "version: '1'\nevents: [\n", "not valid YAML"),
    ],
)
def test_every_resource_goes_through_the_one_reader(tmp_path, loader, body, message):
    path = tmp_path / "mine.yaml"
    path.write_text(body)
    with pytest.raises(ResourceError) as info:
        loader(path)
    assert message in str(info.value) and "mine.yaml" in str(info.value) and "line 3" in str(info.value)


def test_merge_by_id_replaces_removes_and_appends():
    base = [{"id": "a", "v": 1}, {"id": "b", "v": 2}, {"id": "c", "v": 3}]
    extra = [{"id": "b", "v": 20}, {"id": "c", "enabled": False}, {"id": "d", "v": 4}]
    assert resources.merge_by_id(base, extra, "id") == [{"id": "a", "v": 1}, {"id": "b", "v": 20}, {"id": "d", "v": 4}]
    with pytest.raises(ResourceError, match="needs a `id:`"):
        resources.merge_by_id(base, [{"v": 5}], "id", where="mine.yaml")


def test_one_override_rule_extends_or_replaces(tmp_path):
    builtin = frames.load_codebook()
    frame = "  - id: reconstruction\n    indicators:\n      - id: rebuild\n        question: Rebuilding\n"
    frame += "        cues: ['rebuil\\w*']\n"
    extends = tmp_path / "extends.yaml"
    extends.write_text(f"version: '1'\nextends: builtin\nframes:\n{frame}  - id: military\n    enabled: false\n")
    merged = frames.load_codebook(extends)
    ids = [f.id for f in merged.frames]
    assert ids == [f.id for f in builtin.frames if f.id != "military"] + ["reconstruction"]
    assert merged.version == f"{builtin.version}+1"
    replaces = tmp_path / "replaces.yaml"
    replaces.write_text(f"version: '1'\nframes:\n{frame}")
    assert [f.id for f in frames.load_codebook(replaces).frames] == ["reconstruction"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"version: '1'\nextends: mine\nframes:\n{frame}")
    with pytest.raises(ResourceError, match="`extends:` must be `builtin` or `none`"):
        frames.load_codebook(bad)


def test_file_version_has_the_version_key_and_the_sha256():
    path = config.resource("frames.yaml")
    v = resources.file_version(path)
    assert v["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert v["version"] == str(frames.load_codebook().version)


def test_every_stage_records_versions_with_checksums():
    loaded, _ = stages.load_stages(stages.STAGES)
    versions = stages.find_resource_versions(loaded)
    for stage in ("analysis.actors", "analysis.frames"):
        assert versions[stage] and all(len(v["sha256"]) == 64 and v["version"] for v in versions[stage].values())


def test_the_rule_is_the_same_for_patches_and_lists(tmp_path):
    # the actor dictionary extends by default; `extends: none` makes the file stand alone
    mine = tmp_path / "actors.yaml"
    mine.write_text("version: '1'\nextends: none\nactors:\n  - {id: tribal_militia, aliases: [Sanadid]}\n")
    assert list(actors.load_dictionary(mine).entries) == ["tribal_militia"]
    # agencies extend by default too
    agencies = tmp_path / "agencies.yaml"
    agencies.write_text("version: 1\nextends: none\nforms: []\nagencies: []\n")
    assert clean.load_agencies(agencies).by_agency == {}
    assert clean.load_agencies().by_agency
    # events and stopwords replace by default; `extends: builtin` adds by id
    events = tmp_path / "events.yaml"
    events.write_text("version: '1'\nextends: builtin\nevents:\n  - {id: mine, date: 2016-05-02, label: Mine}\n")
    builtin_ids = set(timeseries.load_events()["id"])
    assert set(timeseries.load_events(events)["id"]) == builtin_ids | {"mine"}
    events.write_text("version: '1'\nevents:\n  - {id: mine, date: 2016-05-02, label: Mine}\n")
    assert list(timeseries.load_events(events)["id"]) == ["mine"]
    words = tmp_path / "stop.yaml"
    words.write_text("version: 1\nextends: builtin\nwords: [reuters]\n")
    assert text.load_stopwords(words) == text.load_stopwords() | {"reuters"}


def test_fast_yaml_loader_reads_every_resource_like_the_safe_loader():
    import yaml

    from analysis import config, resources

    paths = sorted(config.RESOURCES_DIR.glob("*.yaml"))
    assert len(paths) >= 5, "the built-in YAML resources were not found"
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=resources.YAML_LOADER) == yaml.safe_load(text), path.name


def _typed(obj, seen=None):
    """``obj`` with every value's type spelled out and shared containers marked: equal only if built alike."""
    seen = {} if seen is None else seen
    if isinstance(obj, (dict, list)):
        if id(obj) in seen:
            return ("shared", seen[id(obj)])
        seen[id(obj)] = len(seen)
        if isinstance(obj, dict):
            return ("dict", [(_typed(k, seen), _typed(v, seen)) for k, v in obj.items()])
        return ("list", [_typed(v, seen) for v in obj])
    return (type(obj).__name__, repr(obj))


def test_resource_loader_builds_what_the_safe_loader_builds():
    import yaml

    from analysis import config, resources

    documents = [p.read_text(encoding="utf-8") for p in sorted(config.RESOURCES_DIR.glob("*.yaml"))]
    documents += [
        "a: 1\nb: 1.5\nc: yes\nd: 'yes'\ne: ~\nf: null\ng: 2016-05-02\nh: '2016-05-02'\ni: 0x1F\nj: 1_000\nk: .inf\n",
        "base: &b {x: 1, y: [1, 2]}\nother: *b\nlist: &l [a, b]\nagain: *l\n",
        "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
        "s: !!set {a, b}\nbin: !!binary aGVsbG8=\nstr: !!str 12\nint: !!int '7'\n",
        "o: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
        "dup: 1\ndup: 2\n1: int key\n1.5: float key\ntrue: bool key\n~: null key\n",
        "- [a, 1]\n- {b: [c, {d: e}]}\n- plain\n- 'quoted'\n- \"double\"\n- |\n  block\n",
        "",
        "just a string",
        "r: &r [1, *r]\n",
    ]
    for document in documents:
        expected = yaml.load(document, Loader=yaml.SafeLoader)  # noqa: S506 - the safe loader
        got = yaml.load(document, Loader=resources.YAML_LOADER)  # noqa: S506 - a safe loader subclass
        assert _typed(got) == _typed(expected), document[:80]
    for bad in ("? [a, b]\n: 1\n", "{[1]: 2}\n"):
        with pytest.raises(yaml.YAMLError):
            yaml.load(bad, Loader=resources.YAML_LOADER)  # noqa: S506 - a safe loader subclass
