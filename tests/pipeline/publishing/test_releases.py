"""Releases: staged aside, switched atomically, rolled back; a crash leaves the live one intact."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from pipeline.errors import PublishError
from pipeline.publishing.releases import (
    current_release,
    previous_release,
    rollback,
    stage_release,
    write_json_atomic,
)


def publish(data_dir, value, **kwargs):
    with stage_release(data_dir, **kwargs) as staging:
        write_json_atomic(staging / "published" / "en.json", {"value": value})
    return current_release(data_dir)


def read(data_dir):
    return (current_release(data_dir) / "published" / "en.json").read_text()


def test_first_and_second_release(tmp_path):
    assert current_release(tmp_path) is None
    first = publish(tmp_path, 1)
    second = publish(tmp_path, 2)
    assert first != second and '"value": 2' in read(tmp_path)
    assert previous_release(tmp_path) == first
    assert (
        '"value": 1' in (first / "published" / "en.json").read_text()
    )  # hard links never rewritten in place


def test_failure_inside_stage_publishes_nothing(tmp_path):
    publish(tmp_path, 1)
    with pytest.raises(RuntimeError), stage_release(tmp_path) as staging:
        write_json_atomic(staging / "published" / "en.json", {"value": "half"})
        raise RuntimeError("boom")
    assert '"value": 1' in read(tmp_path)
    assert not [p for p in (tmp_path / "releases").iterdir() if p.name.startswith(".staging")]


def test_rollback(tmp_path):
    with pytest.raises(PublishError):
        rollback(tmp_path)
    first = publish(tmp_path, 1)
    second = publish(tmp_path, 2)
    assert rollback(tmp_path) == first and current_release(tmp_path) == first
    assert previous_release(tmp_path) == second


def test_old_releases_are_pruned(tmp_path):
    for value in range(6):
        publish(tmp_path, value, keep=3)
    assert len(list((tmp_path / "releases").iterdir())) == 3


def test_sigkill_while_staging_leaves_live_release(tmp_path):
    publish(tmp_path, "good")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from pipeline.publishing.releases import stage_release, write_json_atomic
        with stage_release(Path({str(tmp_path)!r})) as staging:
            write_json_atomic(staging / "published" / "en.json", {{"value": "half"}})
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert result.returncode == -9
    assert '"good"' in read(tmp_path)
    publish(tmp_path, "next")  # the next run cleans up the leftover staging directory
    assert '"next"' in read(tmp_path)
    assert not [p for p in (tmp_path / "releases").iterdir() if p.name.startswith(".staging")]
