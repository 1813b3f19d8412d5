"""The portal CLI: documented commands and settings, clean one-line errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import setting_help

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def all_commands(command, prefix: str = "portal"):
    if hasattr(command, "commands"):  # typer vendors its own click: duck-type the group
        for name, sub in command.commands.items():
            yield from all_commands(sub, f"{prefix} {name}")
    else:
        yield prefix, command


COMMANDS = list(all_commands(get_command(app)))


def test_expected_commands_exist():
    names = {name for name, _ in COMMANDS}
    assert {
        "portal extract",
        "portal catalog update",
        "portal catalog merge",
        "portal review approve",
        "portal qa",
        "portal translate",
        "portal config",
    } <= names


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_documented_with_an_example(name, command):
    assert f"`{name}" in README, f"{name} is missing from the README's CLI reference"
    assert "Example: " in (command.help or ""), f"{name} has no example in its help"


def test_every_setting_is_documented():
    toml_text = (ROOT / "portal.toml").read_text(encoding="utf-8")
    for name, (_, help_text) in setting_help().items():
        assert help_text
        assert f"`{name}`" in README, f"setting {name} missing from README"
        assert re.search(rf"^(\[)?{name}\b", toml_text, re.M), f"setting {name} missing from portal.toml"


def test_version_and_help():
    assert re.match(r"portal \d+\.\d+\.\d+", runner.invoke(app, ["--version"]).output)
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "extract" in result.output


def test_extract_json_shape():
    result = runner.invoke(app, ["extract", "glossary", "--format", "json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.output)["documents"]
    first = docs[0]
    assert {"id", "source", "kind", "locale", "title", "text", "hash", "body", "term", "definition"} <= set(
        first
    )
    assert [d["id"] for d in docs if d["id"].startswith("glossary/")][:2] == [
        "glossary/anemia",
        "glossary/anti-inflammatory",
    ]


def test_unknown_source_is_one_line():
    result = runner.invoke(app, ["extract", "nope"])
    assert result.exit_code == 1 and "unknown source id(s): nope" in result.output


def _portal(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env
    )


def test_broken_snapshot_exits_2_with_one_line(tmp_path):
    shutil.copytree(ROOT / "source_docs", tmp_path / "source_docs")
    page = tmp_path / "source_docs" / "relapse.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html[: html.index('<section class="isi"')] + html[html.index('<section class="faq"') :],
        encoding="utf-8",
    )
    result = _portal("extract", "--sources", str(tmp_path / "source_docs" / "sources.toml"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "'relapse'" in lines[0] and "Important Safety Information" in lines[0]


def test_bad_settings_file_is_one_line(tmp_path):
    bad = tmp_path / "portal.toml"
    bad.write_text("locales = [\n", encoding="utf-8")
    result = _portal("--config", str(bad), "config")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "configuration error" in result.stderr


def test_broken_po_is_one_line_with_file_and_line(tmp_path):
    shutil.copytree(ROOT / "locales", tmp_path / "locales", ignore=shutil.ignore_patterns("*.jsonl"))
    po = tmp_path / "locales" / "es" / "LC_MESSAGES" / "portal.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    lines[30] = 'msgstr "unterminated'
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = po.read_bytes()
    env = {"PORTAL_LOCALES_DIR": str(tmp_path / "locales"), "PATH": "/usr/bin:/bin"}
    result = _portal("qa", "--locale", "es", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"portal\.po:\d+", result.stderr) and len(result.stderr.strip().splitlines()) == 1
    assert po.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["search", "low platelets", "--limit", "0"], "--limit"),
        (["eval", "--queries", "/nonexistent"], "no judged queries"),
        (["serve", "--host", "999.1.1.1"], "portal_host"),
        (["--config", "/nonexistent.toml", "config"], "settings file not found"),
        (["nonsense"], "No such command"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args, needle):
    result = _portal(*args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and needle in lines[0], result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_KEEP_RELEASES", "-3"),
        ("PORTAL_FETCH_RETRIES", "2.7"),
        ("PORTAL_FUZZY_THRESHOLD", "true"),
        ("PORTAL_PUBLISH_POLICY", '{unknown = "approved"}'),
        ("PORTAL_LOCALES", "es-ES"),
        ("PORTAL_WEBHOOK_URL", "file:///etc/passwd"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(variable, value):
    result = _portal("config", env={**os.environ, variable: value})
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "configuration error" in lines[0], result.stderr
