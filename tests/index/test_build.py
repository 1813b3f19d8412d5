"""Building and publishing indexes: incremental by hash, atomic switch, locks, SIGKILL safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import make_live_release, published_set

from index.build import build_indexes, index_dir, index_lock, publish_indexes
from index.engine import SearchEngine
from pipeline.errors import LockBusyError, SearchIndexError
from pipeline.publishing.published import PublishedSet, write_published
from pipeline.publishing.releases import current_release, stage_release

ROOT = Path(__file__).resolve().parents[2]


def test_first_build_indexes_everything_then_nothing_changes(tmp_path):
    make_live_release(tmp_path, [published_set("en"), published_set("es")])
    first = publish_indexes(tmp_path)
    assert [(b.locale, b.full, b.added) for b in first.locales] == [("en", True, 15), ("es", True, 15)]
    again = publish_indexes(tmp_path)
    assert all(
        not b.full and b.unchanged == 15 and b.added + b.updated + b.deleted == 0 for b in again.locales
    )


def test_rebuild_reindexes_only_changed_documents(tmp_path):
    pset = published_set("en")
    make_live_release(tmp_path, [pset])
    publish_indexes(tmp_path)
    live = current_release(tmp_path)
    docs = [d for d in pset.documents if d.id != "glossary/pruritus"]
    docs[0] = replace(docs[0], text=docs[0].text + " Also called low platelet count.", hash="")
    with stage_release(tmp_path) as staging:
        write_published(staging, PublishedSet("en", docs, pset.abbreviations))
    report = publish_indexes(tmp_path, ["en"])
    (entry,) = report.locales
    assert (entry.added, entry.updated, entry.deleted, entry.unchanged) == (0, 1, 1, 13)
    with SearchEngine(tmp_path) as engine:
        assert engine.search("pruritus").total == 0
        assert engine.search("platelet count").results[0].id == docs[0].id
    # the release that was live before is untouched and still answers the old way
    with SearchEngine(tmp_path) as engine:
        os.replace(tmp_path / "current", tmp_path / "current.bak")
        os.symlink(live, tmp_path / "current")
        assert engine.search("pruritus").results[0].id == "glossary/pruritus"


def test_staged_index_never_writes_into_live_files(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    publish_indexes(tmp_path)
    live_index = index_dir(current_release(tmp_path), "en")
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in live_index.iterdir()}
    pset = published_set("en")
    pset.documents[0] = replace(pset.documents[0], title="Changed", hash="")
    with stage_release(tmp_path) as staging:
        write_published(staging, pset)
        build_indexes(staging)
        assert all(p.stat().st_nlink == 1 for p in index_dir(staging, "en").iterdir())
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in live_index.iterdir()}
    assert before == after


def test_full_rebuild_and_schema_change(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    publish_indexes(tmp_path)
    assert publish_indexes(tmp_path, full=True).locales[0].full
    meta = index_dir(current_release(tmp_path), "en") / "search.json"
    meta.write_text('{"schema": -1, "locale": "en"}')  # an index of another version
    assert publish_indexes(tmp_path).locales[0].full


def test_nothing_published(tmp_path):
    with pytest.raises(SearchIndexError, match=r"nothing is published yet; run `portal refresh`"):
        publish_indexes(tmp_path)


def test_unknown_locale(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    with pytest.raises(SearchIndexError, match="locale fr"):
        publish_indexes(tmp_path, ["fr"])


def test_second_publisher_gets_lock_busy(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    with index_lock(tmp_path), pytest.raises(LockBusyError, match="another index build is running"):
        publish_indexes(tmp_path)


def test_whoosh_lock_is_a_lock_busy_error(tmp_path):
    make_live_release(tmp_path, [published_set("en")])
    publish_indexes(tmp_path)
    from whoosh import index as whoosh_index

    pset = published_set("en")
    pset.documents[0] = replace(pset.documents[0], title="Changed", hash="")
    with stage_release(tmp_path) as staging:
        write_published(staging, pset)
        from index.build import _unshare

        _unshare(index_dir(staging, "en"))
        holder = whoosh_index.open_dir(str(index_dir(staging, "en")), indexname="MAIN").writer()
        try:
            with pytest.raises(LockBusyError):
                build_indexes(staging)
        finally:
            holder.cancel()


KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from index.build import publish_indexes
    print("start", flush=True)
    publish_indexes(Path({data!r}), full=True)
""")


def test_sigkill_during_build_leaves_search_working(tmp_path):
    base = published_set("en")
    # enough documents for the build to take a while
    many = [replace(d, id=f"{d.id}-{i}", hash="") for i in range(120) for d in base.documents]
    make_live_release(tmp_path, [PublishedSet("en", base.documents + many, base.abbreviations)])
    publish_indexes(tmp_path)
    live = current_release(tmp_path)
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(tmp_path))
    with SearchEngine(tmp_path) as engine:
        for delay in (0.05, 0.3, 0.8):
            proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
            assert proc.stdout.readline().strip() == b"start"
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            now = current_release(tmp_path)
            response = engine.search("low platelets")
            assert response.results[0].id == "glossary/thrombocytopenia"
            assert now == live or (index_dir(now, "en") / "search.json").exists()
    # the next build cleans up after the killed ones and succeeds
    publish_indexes(tmp_path, full=True)
    assert not list((tmp_path / "releases").glob(".staging-*"))
    with SearchEngine(tmp_path) as engine:
        assert engine.search("nutropenia").results[0].id.startswith("glossary/neutropenia")


def test_large_releases_build_locales_in_child_processes_with_the_same_result(tmp_path, monkeypatch):
    sets = [published_set("en"), published_set("es")]
    make_live_release(tmp_path / "serial", sets)
    make_live_release(tmp_path / "parallel", sets)
    serial = publish_indexes(tmp_path / "serial")
    started = []
    real_run = subprocess.run
    monkeypatch.setattr("index.build.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("index.build.os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(
        "index.build.subprocess.run", lambda cmd, **kw: started.append(cmd) or real_run(cmd, **kw)
    )
    parallel = publish_indexes(tmp_path / "parallel")
    assert [c[1:3] for c in started] == [["-m", "index.worker"]] * 2
    strip = [(b.locale, b.full, b.added, b.documents) for b in serial.locales]
    assert [(b.locale, b.full, b.added, b.documents) for b in parallel.locales] == strip
    for query in ("pruritus", "low platelets", "anemia"):
        with SearchEngine(tmp_path / "parallel") as ours, SearchEngine(tmp_path / "serial") as theirs:
            for locale in ("en", "es"):
                got, want = ours.search(query, locale=locale), theirs.search(query, locale=locale)
                assert [(r.id, r.score) for r in got.results] == [(r.id, r.score) for r in want.results]


def test_an_error_in_a_child_build_is_raised_with_its_class_and_message(tmp_path, monkeypatch):
    make_live_release(tmp_path, [published_set("en"), published_set("es")])
    publish_indexes(tmp_path)
    monkeypatch.setattr("index.build.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("index.build.os.sched_getaffinity", lambda pid: {0, 1})
    from whoosh import index as whoosh_index

    with stage_release(tmp_path) as staging:
        for locale in ("en", "es"):
            pset = published_set(locale)
            pset.documents[0] = replace(pset.documents[0], title="Changed", hash="")
            write_published(staging, pset)
        from index.build import _unshare

        _unshare(index_dir(staging, "es"))
        holder = whoosh_index.open_dir(str(index_dir(staging, "es")), indexname="MAIN").writer()
        try:
            with pytest.raises(LockBusyError, match="another index build is running"):
                build_indexes(staging)
        finally:
            holder.cancel()


def test_a_child_build_that_dies_is_one_clear_error(tmp_path, monkeypatch):
    make_live_release(tmp_path, [published_set("en"), published_set("es")])
    monkeypatch.setattr("index.build.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("index.build.os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr("index.build.sys.executable", "/bin/false")
    with pytest.raises(SearchIndexError, match="the index build process failed: exit status 1"):
        publish_indexes(tmp_path)
    assert current_release(tmp_path) is not None and not (current_release(tmp_path) / "index").exists()
