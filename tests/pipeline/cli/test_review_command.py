"""Accounts and review from the command line: who may approve, with which password, and verification."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.localization.pofile import catalog_path, read_catalog, write_catalog

ROOT = Path(__file__).resolve().parents[3]
SAFETY = "isi/warnings#title"
PASSWORD = "correct horse battery"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for folder in ("locales", "source_docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "portal.toml", tmp_path / "portal.toml")
    return tmp_path


def portal(workspace: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_WORKSPACE"] = str(workspace)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=workspace, env=env, input=stdin,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def add_user(workspace: Path, name: str, role: str) -> None:
    result = portal(workspace, "user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def translate_zh(workspace: Path, segment: str) -> None:
    """Accept a Chinese safety draft as a translation, as a translator would in a PO editor."""
    path = catalog_path(workspace / "locales", "zh_Hans")
    catalog = read_catalog(path, locale="zh_Hans")
    message = next(m for m in catalog if m.context == segment)
    message.flags.discard("fuzzy")
    write_catalog(catalog, path)


def test_accounts_lifecycle(workspace: Path) -> None:
    add_user(workspace, "ana", "reviewer")
    add_user(workspace, "tom", "translator")
    listed = json.loads(portal(workspace, "user", "list", "--format", "json").stdout)
    assert [(a["name"], a["role"], a["disabled"]) for a in listed] == [
        ("ana", "reviewer", False),
        ("tom", "translator", False),
    ]
    assert "accounts.sqlite3" in os.listdir(workspace / "var")
    short = portal(workspace, "user", "add", "bob", "--role", "reviewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    again = portal(
        workspace, "user", "add", "ana", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert portal(workspace, "user", "disable", "tom").returncode == 0
    new = "another long password"
    assert portal(workspace, "user", "passwd", "ana", "--password-stdin", stdin=new + "\n").returncode == 0


def test_approval_needs_an_account_with_the_reviewer_role(workspace: Path) -> None:
    add_user(workspace, "tom", "translator")
    translate_zh(workspace, SAFETY)
    free_text = portal(workspace, "review", "approve", "--locale", "zh_Hans", "--reviewer", "anyone", SAFETY)
    assert (
        free_text.returncode == 2 and "--as NAME" in free_text.stderr and "Traceback" not in free_text.stderr
    )
    wrong = portal(workspace, "review", "approve", "-l", "zh_Hans", "--as", "tom", "--password-stdin", SAFETY,
                   stdin="not the password\n")  # fmt: skip
    assert wrong.returncode == 1 and "wrong account name or password" in wrong.stderr
    role = portal(workspace, "review", "approve", "-l", "zh_Hans", "--as", "tom", "--password-stdin", SAFETY,
                  stdin=PASSWORD + "\n")  # fmt: skip
    assert role.returncode == 1 and "reviewer role" in role.stderr


def test_four_eyes_and_verification_from_the_command_line(workspace: Path) -> None:
    add_user(workspace, "ana", "reviewer")
    add_user(workspace, "bea", "reviewer")
    translate_zh(workspace, SAFETY)

    def approve(name: str) -> subprocess.CompletedProcess[str]:
        args = ["review", "approve", "-l", "zh_Hans", "--as", name, "--password-stdin", SAFETY]
        return portal(workspace, *args, stdin=PASSWORD + "\n")

    def state() -> dict[str, object]:
        listed = portal(workspace, "review", "list", "-l", "zh_Hans", "--kind", "safety", "--format", "json")
        return next(m for m in json.loads(listed.stdout)["messages"] if m["segment"] == SAFETY)

    assert approve("ana").returncode == 0
    assert state()["state"] == "translated" and state()["approvals"] == ["ana"]
    twice = approve("ana")
    assert twice.returncode == 1 and "different reviewer" in twice.stderr
    assert approve("bea").returncode == 0 and state()["state"] == "approved"
    verified = portal(workspace, "review", "verify", "--format", "json")
    assert verified.returncode == 0 and all(row["ok"] for row in json.loads(verified.stdout).values())
    assert (
        len(list((workspace / "locales" / "keys").glob("*.pub"))) == 3
    )  # two demo keys and this workspace's
    bulk = portal(workspace, "review", "approve", "-l", "zh_Hans", "--as", "ana", "--password-stdin",
                  "--all-translated", stdin=PASSWORD + "\n")  # fmt: skip
    assert bulk.returncode == 0 and "0 approval(s)" in bulk.stdout  # safety is never approved in bulk


def test_lockout_after_repeated_wrong_passwords(workspace: Path) -> None:
    add_user(workspace, "ana", "reviewer")
    for _ in range(5):
        portal(
            workspace,
            "review",
            "approve",
            "-l",
            "es",
            "--as",
            "ana",
            "--password-stdin",
            SAFETY,
            stdin="nope\n",
        )
    locked = portal(workspace, "review", "approve", "-l", "es", "--as", "ana", "--password-stdin", SAFETY,
                    stdin=PASSWORD + "\n")  # fmt: skip
    assert locked.returncode == 1 and "locked" in locked.stderr
