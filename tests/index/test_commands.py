"""The search CLI: `portal index build`, `search`, `suggest`, `eval`."""

from __future__ import annotations

import json

from conftest import make_live_release, published_set
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def run(data_dir, *args):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def test_build_search_suggest(tmp_path):
    make_live_release(tmp_path, [published_set("en"), published_set("es")])
    result = run(tmp_path, "index", "build", "--locale", "en")
    assert result.exit_code == 0, result.output
    assert "en: 15 documents (full rebuild)" in result.output
    result = run(tmp_path, "search", "low platelets", "--format", "json")
    data = json.loads(result.output)
    assert data["results"][0]["id"] == "glossary/thrombocytopenia" and data["locale"] == "en"
    result = run(tmp_path, "search", "nutropenia")
    assert "did you mean: neutropenia" in result.output and "glossary/neutropenia" in result.output
    assert "glossary/thrombocytopenia" in run(tmp_path, "suggest", "thromb").output
    # es was not built yet: a clean one-line error
    result = run(tmp_path, "search", "plaquetas", "--locale", "es")
    assert result.exit_code == 1 and "run `portal index build`" in result.output
    assert "Traceback" not in result.output


def test_odd_queries_and_bad_options(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    run(tmp_path, "index", "build")
    for query in ['"', "AND OR NOT", "*", "field:value", "😀", "x" * 10_000, ""]:
        result = run(tmp_path, "search", query, "--format", "json")
        assert result.exit_code == 0 and "total" in json.loads(result.output)
    assert run(tmp_path, "search", "x", "--format", "xml").exit_code == 2


def test_nothing_published(tmp_path):
    result = run(tmp_path, "index", "build")
    assert result.exit_code == 1
    assert "nothing is published yet; run `portal refresh`" in result.output


def test_eval_prints_metrics_and_fails_below_threshold(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    run(tmp_path, "index", "build")
    queries = tmp_path / "judged"
    queries.mkdir()
    (queries / "en.toml").write_text(
        '[[query]]\nq = "low platelets"\ncategory = "lay"\nrelevant = ["glossary/thrombocytopenia"]\n'
        '[[query]]\nq = "dog food"\ncategory = "none"\n'
        '[[query]]\nq = "platelets"\ncategory = "exact"\nrelevant = ["glossary/pruritus"]\n'
    )
    result = run(tmp_path, "eval", "--queries", str(queries), "--locale", "en")
    assert result.exit_code == 0, result.output
    assert "MRR" in result.output and "none" in result.output
    result = run(tmp_path, "eval", "--queries", str(queries), "--min-mrr", "0.9")
    assert result.exit_code == 1


def test_help_has_examples():
    for args in (["index", "build"], ["search"], ["suggest"], ["eval"]):
        assert "Example:" in runner.invoke(app, [*args, "--help"]).output
