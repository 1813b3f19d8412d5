"""Workspaces: `portal init`, --workspace, profile preview, source add, and a non-editable install."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAYOUTS = ROOT / "tests" / "data" / "html" / "layouts"


def portal(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd, env=environment
    )


def one_line_error(result: subprocess.CompletedProcess, code: int | None = None) -> str:
    """A refusal: exit 1 (or 2 for bad arguments and settings), one line, no traceback."""
    assert result.returncode == code if code else result.returncode in (1, 2), result.stderr
    assert "Traceback" not in result.stderr and 1 <= len(result.stderr.strip().splitlines()) <= 2
    return result.stderr


def test_init_sample_extracts_the_sample_pages(tmp_path):
    ws = tmp_path / "ws"
    assert portal("init", str(ws), "--sample", cwd=tmp_path).returncode == 0
    assert {"portal.toml", ".gitignore", "profiles", "locales", "source_docs"} <= {
        p.name for p in ws.iterdir()
    }
    assert (ws / "locales" / "es" / "review-log.jsonl").is_file()
    mine = portal("extract", "--format", "json", cwd=ws)
    repo = portal("extract", "--format", "json", cwd=ROOT)
    assert mine.returncode == 0 and mine.stdout == repo.stdout
    again = portal("--workspace", str(ws), "extract", "glossary", "--format", "json", cwd=tmp_path)
    assert again.returncode == 0 and '"glossary/anemia"' in again.stdout
    assert "already a workspace" in one_line_error(portal("init", str(ws), cwd=tmp_path))


def test_init_without_sample_then_commands_explain_what_is_missing(tmp_path):
    ws = tmp_path / "empty"
    assert portal("init", str(ws), cwd=tmp_path).returncode == 0
    assert "portal source add" in one_line_error(portal("extract", cwd=ws))


def test_outside_a_workspace_is_one_line(tmp_path):
    assert "not inside a workspace" in one_line_error(portal("extract", cwd=tmp_path))
    assert "not a workspace" in one_line_error(portal("--workspace", str(tmp_path), "extract", cwd=tmp_path))


@pytest.mark.parametrize(
    "body, expected",
    [
        ('id = "../../x"\nurl = "https://e.org/"\nsnapshot = "x.html"\nprofile = "auto"\n', "not a slug"),
        ('id = "x"\nurl = "file:///etc/passwd"\nsnapshot = "x.html"\nprofile = "auto"\n', "http(s) URL"),
        (
            'id = "x"\nurl = "https://e.org/"\nsnapshot = "x.html"\nprofile = "auto"\nextra = 1\n',
            "unknown key",
        ),
    ],
)
def test_bad_manifest_is_refused_by_the_cli(tmp_path, body, expected):
    (tmp_path / "sources.toml").write_text("[[source]]\n" + body, encoding="utf-8")
    result = portal("extract", "--sources", str(tmp_path / "sources.toml"), cwd=ROOT)
    assert expected in one_line_error(result)


def test_manifest_that_is_a_directory_is_one_line(tmp_path):
    assert "is a directory" in one_line_error(portal("extract", "--sources", str(tmp_path), cwd=ROOT))


def test_broken_layout_page_exits_2_naming_page_and_problem(tmp_path):
    shutil.copytree(LAYOUTS, tmp_path / "layouts")
    page = tmp_path / "layouts" / "medguide.html"
    page.write_text(page.read_text(encoding="utf-8").replace('role="note"', ""), encoding="utf-8")
    result = portal("extract", "--sources", str(tmp_path / "layouts" / "sources.toml"), cwd=ROOT)
    message = one_line_error(result, 2)
    assert "'medguide'" in message and "boxed warning div[role=note]" in message


def test_profile_preview_of_a_file(tmp_path):
    page = str(LAYOUTS / "medguide.html")
    result = portal(
        "profile",
        "preview",
        page,
        "--profile",
        str(LAYOUTS / "medguide.toml"),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"][0]["id"] == "preview/boxed-warning"
    assert all(point["passed"] for point in report["contract"])
    auto = portal("profile", "preview", page, cwd=tmp_path)
    assert auto.returncode == 0 and "note: no contract" in auto.stdout and "pass  unique ids" in auto.stdout
    before = sorted(p.name for p in tmp_path.iterdir())
    assert before == []  # wrote nothing


def test_profile_preview_shows_failed_points(tmp_path):
    page = tmp_path / "faq.html"
    page.write_text(
        (LAYOUTS / "faq.html").read_text(encoding="utf-8").replace("1-800-555-0199", "us"), encoding="utf-8"
    )
    result = portal("profile", "preview", str(page), "--profile", str(LAYOUTS / "faq.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "FAIL  safety content mentions '1-800-555-0199'" in result.stdout


def test_source_add_fetches_and_adds_the_manifest_entry(tmp_path, httpserver):
    ws = tmp_path / "ws"
    portal("init", str(ws), cwd=tmp_path)
    shutil.copy(LAYOUTS / "dl-glossary.toml", ws / "profiles" / "terms.toml")
    httpserver.expect_request("/terms/").respond_with_data(
        (LAYOUTS / "dl-glossary.html").read_bytes(), content_type="text/html"
    )
    url = httpserver.url_for("/terms/")
    result = portal("source", "add", url, "--id", "terms", "--profile", "terms", "--kind", "glossary", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert "4 documents; contract holds" in result.stdout
    assert (ws / "source_docs" / "terms.html").read_bytes() == (LAYOUTS / "dl-glossary.html").read_bytes()
    extracted = portal("extract", "--format", "json", cwd=ws)
    assert extracted.returncode == 0 and '"glossary/jaundice"' in extracted.stdout
    assert "already in the manifest" in one_line_error(portal("source", "add", url, "--id", "terms", cwd=ws))
    assert "not a slug" in one_line_error(portal("source", "add", url, "--id", "../x", cwd=ws))
    assert "http(s) URL" in one_line_error(portal("source", "add", "file:///etc/passwd", "--id", "y", cwd=ws))
    assert "unknown profile" in one_line_error(
        portal("source", "add", url, "--id", "z", "--profile", "nope", cwd=ws)
    )


def test_installed_package_works_outside_the_repository(tmp_path):
    """A non-editable install: templates, samples and profiles must come along as package data."""
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT,
        clone,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "build", "*.egg-info", "test-results", "__pycache__"
        ),
    )
    target = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
        + ["--target", str(target), str(clone)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr[-2000:]
    env = {"PYTHONPATH": str(target)}
    check = subprocess.run(
        [sys.executable, "-c", "import pipeline, portal, index; print(pipeline.__file__, portal.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, **env},
    )  # fmt: skip
    assert check.stdout.startswith(str(target)), check.stdout + check.stderr
    assert (target / "portal" / "templates" / "base.html").is_file()
    assert (target / "index" / "synonyms" / "en.toml").is_file()
    assert portal("init", "ws", "--sample", cwd=tmp_path, env=env).returncode == 0
    result = portal("extract", "--format", "json", cwd=tmp_path / "ws", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == portal("extract", "--format", "json", cwd=ROOT).stdout
