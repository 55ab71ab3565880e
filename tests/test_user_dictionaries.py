"""`analyze --actors FILE --places FILE`: user dictionaries reach the actors and frames stages and the manifest."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from analysis import cli, pipeline
from analysis.actors import count_mentions, load_dictionary
from analysis.errors import ResourceError
from analysis.tables import save_table

TEXTS = {
    "m03": "The Qamishli Peace Council said on Monday that talks would resume. "
    "Fighters of the Quwat Suriya al-Dimuqratiya entered Tal Baydar at dawn.",
    "m04": "Officials of the Qamishli Peace Council met the Syrian Democratic Forces in Tal Baydar.",
}
USER_ACTORS = """\
version: "test-1"
extends: builtin
actors:
  - id: qamishli_council
    label: Qamishli Peace Council
    type: ngo
    aliases: [Qamishli Peace Council]
  - id: sdf
    extends: builtin
    aliases: [Quwat Suriya al-Dimuqratiya]
"""
USER_PLACES = """\
version: "test-places-1"
places:
  - id: tal_baydar
    label: Tal Baydar
    type: town
    country: SY
    aliases: [Tal Baydar]
"""


@pytest.fixture()
def corpus_file(mini_corpus, tmp_path):
    df = mini_corpus.copy()
    for doc_id, text in TEXTS.items():
        df.loc[df["doc_id"] == doc_id, "text"] = text
    df["n_words"] = df["text"].str.split().str.len().astype("int64")
    return save_table(df, tmp_path / "articles.parquet")


@pytest.fixture()
def user_files(tmp_path):
    actors, places = tmp_path / "my_actors.yaml", tmp_path / "my_places.yaml"
    actors.write_text(USER_ACTORS)
    places.write_text(USER_PLACES)
    return actors, places


def _mentions(out) -> pd.DataFrame:
    return pd.read_parquet(out / "mentions.parquet")


def test_extends_builtin_entry_adds_one_alias_and_keeps_the_rest(user_files):
    actors, _ = user_files
    d = load_dictionary(actors)
    sdf = d.entries["sdf"]
    assert sdf.label == "Syrian Democratic Forces" and sdf.type == "armed_group"
    assert "Quwat Suriya al-Dimuqratiya" in sdf.aliases and "SDF" in sdf.aliases
    assert d.entries["qamishli_council"].label == "Qamishli Peace Council"
    assert "syrian_army" in d  # the file extends the built-in dictionary


def test_analyze_cli_uses_the_user_dictionary(corpus_file, user_files, tmp_path, capsys):
    actors, places = user_files
    out = tmp_path / "out"
    code = cli.main(
        [
            "analyze",
            str(corpus_file),
            "--out",
            str(out),
            "--actors",
            str(actors),
            "--places",
            str(places),
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    m = _mentions(out)
    m03 = m[m["doc_id"] == "m03"]
    assert set(m03["actor_id"]) >= {"qamishli_council", "sdf", "tal_baydar"}
    assert m03.loc[m03["actor_id"] == "sdf", "matched"].tolist() == ["Quwat Suriya al-Dimuqratiya"]
    assert set(m[m["doc_id"] == "m04"]["actor_id"]) >= {"qamishli_council", "sdf", "tal_baydar"}
    # the frames stage resolves speakers with the same dictionary
    attrs = pd.read_parquet(out / "attributions.parquet")
    said = attrs[(attrs["doc_id"] == "m03") & (attrs["verb"] == "said")]
    assert said["actor_id"].tolist() == ["qamishli_council"]
    manifest = json.loads((out / "manifest.json").read_text())
    used = manifest["resource_versions"]["user_dictionary"]
    assert used["actors"] == {
        "path": str(actors),
        "version": "test-1",
        "sha256": hashlib.sha256(actors.read_bytes()).hexdigest(),
    }
    assert used["places"]["version"] == "test-places-1"
    assert manifest["parameters"]["actors"] == str(actors)

    # labels come from the dictionary that produced the mentions
    result = pipeline.load_analysis(out)
    counts = count_mentions(result.mentions, result.documents, kind="actor", dictionary=result.dictionary)
    assert counts.set_index("actor_id").loc["qamishli_council", "label"] == "Qamishli Peace Council"

    # the actors report labels the user's entry from that dictionary and names the file in its provenance;
    # its `dictionary` parameter must be a file the analysis was made with
    from analysis import render
    from analysis.errors import ParameterError
    from analysis.notebook import check_dictionary_files

    corpus_path = tmp_path / "articles.parquet"
    rendered = render.render_report(
        "actors",
        corpus=corpus_path,
        analysis=out,
        out=tmp_path / "reports",
        pdf=False,
        progress=False,
        parameters={"dictionary": [str(actors)], "min_sentences": 1},
    )
    page = rendered.html.read_text(encoding="utf-8")
    assert "Qamishli Peace Council" in page and "qamishli_council" not in page
    assert "my_actors.yaml" in page and "test-1" in page  # provenance: path and version of the user file
    mention_table = pd.read_csv(tmp_path / "reports" / "actors" / "tables" / "actor-mentions.csv")
    assert "Qamishli Peace Council" in set(mention_table["label"])
    check_dictionary_files(result, [actors, places])
    with pytest.raises(ParameterError, match="not with this file"):
        check_dictionary_files(result, [corpus_path])
    actors.write_text(USER_ACTORS.replace("Qamishli Peace Council]", "Qamishli Council]"))
    with pytest.raises(ResourceError, match="has changed since"):
        _ = pipeline.load_analysis(out).dictionary

    # a run without the files in the same process sees only the built-in dictionary (nothing leaks between runs)
    plain = pipeline.analyze_corpus(corpus_file, tmp_path / "plain", progress=False)
    ids = set(plain.mentions["actor_id"])
    assert not ids & {"qamishli_council", "tal_baydar"}
    assert "user_dictionary" not in plain.manifest["resource_versions"]


def test_worker_processes_get_the_user_dictionary(corpus_file, user_files, tmp_path):
    actors, places = user_files
    one = pipeline.analyze_corpus(corpus_file, tmp_path / "one", actors=actors, places=places, progress=False)
    two = pipeline.analyze_corpus(
        corpus_file, tmp_path / "two", actors=actors, places=places, jobs=2, chunk_size=2, progress=False
    )
    for name in ("mentions", "attributions", "labels"):
        pd.testing.assert_frame_equal(one.table(name), two.table(name))
    assert "qamishli_council" in set(two.mentions["actor_id"])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("version: 1\nactors:\n  - id: Bad Id\n    aliases: [x]\n", "id 'Bad Id'"),
        ("version: 1\nactors:\n  - id: nobody\n    extends: builtin\n    aliases: [x]\n", "extends: builtin"),
        ("actors: [\n", "not valid YAML"),
    ],
)
def test_a_bad_dictionary_file_is_one_clear_error(corpus_file, tmp_path, capsys, content, needle):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    out = tmp_path / "out"
    code = cli.main(["analyze", str(corpus_file), "--out", str(out), "--actors", str(bad), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("error:") and "\n" not in err and str(bad) in err and needle in err
    assert not (out / "manifest.json").exists()


USER_FRAMES = """\
version: "frames-test-1"
extends: builtin
frames:
  - id: reconstruction
    label: Rebuilding after the battle
    family: domain
    indicators:
      - id: rebuilding
        question: Does the story report rebuilding or reconstruction?
        cues:
          - rebuild(?:ing)?|reconstruction
"""
USER_LABELS = """\
version: "labels-test-1"
extends: builtin
labels:
  - id: outlaws
    class: pejorative
    pattern: outlaws?
territorial_verbs: []
"""


def test_analyze_cli_uses_your_codebook_and_conflict_language(corpus_file, tmp_path, capsys):
    """`analyze --frames FILE --labels FILE`: the frames stage codes with them, the manifest records them, the
    analysis gives them back (checked) and frame tables take their labels from the codebook that coded them."""
    from analysis import frames

    codebook, lexicon = tmp_path / "my_frames.yaml", tmp_path / "my_labels.yaml"
    codebook.write_text(USER_FRAMES)
    lexicon.write_text(USER_LABELS)
    df = pd.read_parquet(corpus_file)
    df.loc[df["doc_id"] == "m06", "text"] += " Residents called the fighters outlaws. Rebuilding will take years."
    save_table(df, corpus_file)
    out = tmp_path / "out"
    code = cli.main(
        [
            "analyze",
            str(corpus_file),
            "--out",
            str(out),
            "--frames",
            str(codebook),
            "--labels",
            str(lexicon),
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    result = pipeline.load_analysis(out)
    scores = result.frames
    rebuilt = scores[(scores["frame"] == "reconstruction") & (scores["score"] > 0)]
    expected = {d for d, t in zip(df["doc_id"], df["text"]) if "rebuild" in t.lower() or "reconstruction" in t.lower()}
    assert set(rebuilt["doc_id"]) == expected and "m06" in expected
    assert {"humanitarian", "conflict"} <= set(scores["frame"])  # extends: the built-in frames are kept
    labels = result.labels
    assert labels.loc[labels["doc_id"] == "m06", "label"].tolist().count("outlaws") == 1
    used = result.manifest["resource_versions"]["user_codebook"]
    assert used["frames"] == {
        "path": str(codebook),
        "version": "frames-test-1",
        "sha256": hashlib.sha256(codebook.read_bytes()).hexdigest(),
    }
    assert used["labels"]["version"] == "labels-test-1"
    assert result.manifest["parameters"]["frames"] == str(codebook)
    counted = frames.count_frames(result.frames, df, codebook=result.codebook).set_index("frame")
    assert counted.loc["reconstruction", "label"] == "Rebuilding after the battle"
    assert "outlaws" in set(result.lexicon.labels["id"]) and result.lexicon.version.endswith("+labels-test-1")
    codebook.write_text(USER_FRAMES.replace("Rebuilding after", "Rebuilding"))
    with pytest.raises(ResourceError, match="has changed since"):
        _ = pipeline.load_analysis(out).codebook
    # a bad codebook is one clear error before any work
    bad = tmp_path / "bad_frames.yaml"
    bad.write_text(
        'version: "x"\nframes:\n  - id: broken\n    indicators:\n      - id: i\n        question: q\n'
        "        cues: ['(unclosed']\n"
    )
    assert cli.main(["analyze", str(corpus_file), "--out", str(tmp_path / "o2"), "--frames", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "bad_frames.yaml" in err
    assert not (tmp_path / "o2" / "manifest.json").exists()
