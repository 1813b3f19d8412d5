"""Benchmark: our search index (Whoosh behind index.engine) against SQLite FTS5, side by side.

A synthetic corpus is built from the real glossary and safety vocabulary (the documents
extracted from source_docs/): each document takes a glossary term for its title and sentences of
the real pages for its body. For each size it measures the index build rate (documents/s) and
the query latency p50/p95 of four query shapes -- an exact term, two words, a misspelling and a
prefix -- with one long-lived searcher per engine (never reopened per query), and prints the
ratios (ours / FTS5; above 1 means we are slower).

FTS5 gets the closest equivalent of each query: the term, the two words (implicit AND), the
misspelled word as typed (FTS5 has no typo tolerance, so it finds nothing), and ``prefix*``.

    python bench/search.py [--sizes 1000,10000,100000] [--queries 200] [--format table|json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import index.engine
from index.build import build_indexes
from index.engine import SearchEngine
from pipeline.config import load_settings
from pipeline.extraction.extractor import extract_sources
from pipeline.extraction.model import slugify
from pipeline.extraction.sources import load_manifest
from pipeline.publishing.published import PublishedDocument, PublishedSet, write_published

QUERIES = {
    "exact term": ["thrombocytopenia", "neutropenia", "pruritus", "dehydration", "placebo", "edema"],
    "two words": [
        "blood clots",
        "low platelets",
        "white cells",
        "liver problems",
        "birth defects",
        "stem cell",
    ],
    "misspelling": ["nutropenia", "trombocytopenia", "pruritis", "dehidration", "plasebo", "anemea"],
    "prefix": ["thromb", "neutro", "pulmo", "dehyd", "lympho", "plate"],
}


def vocabulary() -> tuple[list[str], list[str], dict[str, str]]:
    """Glossary terms and sentences of the real pages."""
    corpus = extract_sources(load_manifest(load_settings().sources_path))
    terms = [d.title for d in corpus.documents if d.kind == "glossary"]
    sentences = []
    for doc in corpus.documents:
        for line in doc.text.split("\n"):
            sentences.extend(s.strip() + "." for s in line.split(". ") if len(s.split()) >= 4)
    return terms, sentences, corpus.abbreviations


def synthetic(
    size: int, terms: list[str], sentences: list[str], abbreviations: dict[str, str]
) -> PublishedSet:
    rng = random.Random(size)
    docs = []
    for i in range(size):
        term = rng.choice(terms)
        title = f"{term} {i}" if i >= len(terms) else term
        kind = "glossary" if i % 3 else "safety"
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 8)))
        docs.append(
            PublishedDocument(
                id=f"{kind}/{slugify(title)}",
                source="bench",
                kind=kind,
                locale="en",
                title=title,
                text=f"{title}\n{body}",
                body=[],
                url=f"https://example.test/{slugify(title)}",
                fallback=False,
                en_title=title,
                term=title if kind == "glossary" else None,
                order=i,
            )
        )
    return PublishedSet("en", docs, abbreviations)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_queries(run, shape: str, repeats: int) -> tuple[float, float]:
    words = QUERIES[shape]
    for w in words:  # warm caches the same way for both engines
        run(w)
    timings = []
    for i in range(repeats):
        started = time.perf_counter()
        run(words[i % len(words)])
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95)


def bench_ours(root: Path, pset: PublishedSet, repeats: int) -> dict:
    release = root / "releases" / "r1"
    write_published(release, pset)
    (root / "current").symlink_to("releases/r1")
    started = time.perf_counter()
    build_indexes(release, ["en"], full=True)
    rate = len(pset.documents) / (time.perf_counter() - started)
    out = {"build_rate": rate, "queries": {}, "found": {}}
    # the per-release result cache would answer the repeated queries: measure the search itself
    index.engine.CACHE_SIZE = 0
    with SearchEngine(root) as engine:
        for shape in QUERIES:
            out["queries"][shape] = time_queries(lambda q: engine.search(q, limit=10), shape, repeats)
            out["found"][shape] = engine.search(QUERIES[shape][0]).total
    return out


def fts_query(shape: str, text: str) -> str:
    if shape == "prefix":
        return f'"{text}"*'
    return " ".join(f'"{w}"' for w in text.split())


def bench_fts5(root: Path, pset: PublishedSet, repeats: int) -> dict:
    db = sqlite3.connect(str(root / "fts.db"))
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    with db:
        db.executemany(
            "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
            ((d.id, d.title, d.text) for d in pset.documents),
        )
    rate = len(pset.documents) / (time.perf_counter() - started)
    sql = (
        "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 12) FROM docs WHERE docs MATCH ? "
        "ORDER BY bm25(docs, 0, 6.0, 1.0) LIMIT 10"
    )
    out = {"build_rate": rate, "queries": {}, "found": {}}
    for shape in QUERIES:
        out["queries"][shape] = time_queries(
            lambda q: db.execute(sql, (fts_query(shape, q),)).fetchall(), shape, repeats
        )
        out["found"][shape] = db.execute(
            "SELECT count(*) FROM docs WHERE docs MATCH ?", (fts_query(shape, QUERIES[shape][0]),)
        ).fetchone()[0]
    db.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per shape")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    terms, sentences, abbreviations = vocabulary()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        pset = synthetic(size, terms, sentences, abbreviations)
        work = Path(tempfile.mkdtemp(prefix="bench-search-"))
        try:
            ours = bench_ours(work / "ours", pset, args.queries)
            (work / "fts").mkdir()
            fts = bench_fts5(work / "fts", pset, args.queries)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rows.append({"size": size, "ours": ours, "fts5": fts})
        if args.format == "table":
            print_size(rows[-1])
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    return 0


def print_size(row: dict) -> None:
    ours, fts = row["ours"], row["fts5"]
    print(f"\n{row['size']:,} documents")
    print(f"  {'':<14}{'ours':>12}{'FTS5':>12}{'ratio':>8}")
    print(
        f"  {'build docs/s':<14}{ours['build_rate']:>12,.0f}{fts['build_rate']:>12,.0f}"
        f"{ours['build_rate'] / fts['build_rate']:>8.2f}"
    )
    for shape in QUERIES:
        (p50, p95), (f50, f95) = ours["queries"][shape], fts["queries"][shape]
        print(
            f"  {shape + ' p50 ms':<22}{p50:>8.2f}{f50:>12.2f}{p50 / f50:>8.1f}   "
            f"p95 {p95:.2f} / {f95:.2f}   found {ours['found'][shape]} / {fts['found'][shape]}"
        )


if __name__ == "__main__":
    sys.exit(main())
