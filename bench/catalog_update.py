"""Benchmark: `portal catalog merge` against GNU `msgmerge --previous` on generated catalogs.

For each size it writes DEF.po (a translated catalog) and REF.pot (the next template: 5% of the
msgids changed by a small edit, a fifth of those also under a renumbered segment id, 2% added,
2% removed) with known ground truth, runs our merge end
to end (read both files, merge, write) in a child process and ``msgmerge --previous -q`` on the
same files, measuring time and peak RSS of each, then reads both outputs back with polib and
counts exact, fuzzy, new and obsolete entries, and how many fuzzy entries carry the right previous
msgid. A last row does the same on a real pair (Sphinx 7.2.6's Japanese catalog, Sphinx 8.1.3's
template, from tests/data/po/sphinx).

    python bench/catalog_update.py [--sizes 5000,50000,166000] [--msgmerge-max 60000]
                                   [--format table|json] [--keep DIR] [--no-real]

Above ``--msgmerge-max`` messages only our merge runs (msgmerge takes over 15 minutes at 166,000).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "po" / "sphinx"

CHANGED, ADDED, REMOVED = 0.05, 0.02, 0.02
MOVED = 0.2  # of the changed segments, the share whose segment id changed too (found only fuzzily)

DOCUMENTS = ("glossary", "isi", "dosing", "faq", "rems", "page")
SUBJECTS = (
    "POMALYST",
    "REVLIMID",
    "your doctor",
    "your pharmacist",
    "your healthcare provider",
    "the REMS program",
    "patients with multiple myeloma",
    "women who can become pregnant",
    "men taking this medicine",
    "your caregiver",
    "the NCCN guidelines",
    "the FDA",
)
VERBS = (
    "can cause",
    "may increase the risk of",
    "should be checked for",
    "is used to treat",
    "must be stopped if there are signs of",
    "can lower the number of",
    "may lead to",
    "is not approved for",
    "should be told about",
    "can help prevent",
)
OBJECTS = (
    "blood clots",
    "low white blood cell counts",
    "severe birth defects",
    "anemia",
    "neutropenia",
    "thrombocytopenia",
    "serious skin reactions",
    "liver problems",
    "deep vein thrombosis",
    "pulmonary embolism",
    "dizziness",
    "tiredness",
    "constipation",
    "nerve damage",
    "allergic reactions",
    "heart attack",
    "stroke",
    "tumor lysis syndrome",
)
TAILS = (
    "during treatment",
    "before you start",
    "every {n} weeks",
    "for {n} days",
    "after {n} cycles",
    "at a dose of {n} mg",
    "within {n} hours",
    "while taking <1>{brand}</1>",
    "as described in <1>Section {n}</1>",
    "; call <2>1-888-{n}23-4567</2> right away",
    "",
    "",
    "",
)
OPENERS = ("", "", "", "Important: ", "Tell your doctor if ", "Do not stop treatment: ", "In studies, ")
PSEUDO = str.maketrans("aeiouAEIOU", "àéîöüÀÉÎÖÜ")


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(n=rng.randint(1, 99), brand=rng.choice(("POMALYST", "REVLIMID")))
    text = f"{rng.choice(OPENERS)}{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if rng.random() < 0.5:
        text += f" and {rng.choice(OBJECTS)}"
    text = f"{text} {tail}".rstrip() + "."
    if rng.random() < 0.3:
        text += f" See <3/>{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
    return text[0].upper() + text[1:]


def small_edit(rng: random.Random, text: str) -> str:
    """A reviewer-sized change: one word swapped, inserted or dropped, or a number changed."""
    words = text.split(" ")
    kind = rng.randrange(4)
    i = rng.randrange(len(words))
    if kind == 0 and any(w.strip(".;").isdigit() for w in words):
        i = next(k for k, w in enumerate(words) if w.strip(".;").isdigit())
        words[i] = words[i].replace(words[i].strip(".;"), str(int(words[i].strip(".;")) + 1))
    elif kind == 1:
        words.insert(i, rng.choice(("severe", "possible", "new", "serious", "very")))
    elif kind == 2 and len(words) > 6:
        del words[i if i else 1]
    else:
        words[i] = rng.choice(("risk", "signs", "symptoms", "treatment", "medicine"))
    edited = " ".join(words)
    return edited if edited != text else edited + " Ask your doctor."


@dataclass
class Case:
    size: int
    old: dict[str, str] = field(default_factory=dict)  # ctxt -> msgid in DEF.po
    new: dict[str, str] = field(default_factory=dict)  # ctxt -> msgid in REF.pot
    changed: dict[str, str] = field(default_factory=dict)  # ctxt -> old msgid (should be fuzzy)
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)


def generate(size: int, seed: int = 1) -> Case:
    rng = random.Random(seed * 1_000_003 + size)
    case = Case(size)
    n_doc = max(1, size // 12)
    for i in range(size):
        doc = f"{rng.choice(DOCUMENTS)}/topic-{i % n_doc}"
        case.old[f"{doc}#seg-{i}"] = sentence(rng)
    ctxts = list(case.old)
    removed = set(rng.sample(ctxts, int(size * REMOVED)))
    kept = [c for c in ctxts if c not in removed]
    changed = set(rng.sample(kept, int(size * CHANGED)))
    for ctxt in ctxts:
        if ctxt in removed:
            continue
        msgid = case.old[ctxt]
        if ctxt in changed:
            old_text, msgid = msgid, small_edit(rng, msgid)
            if rng.random() < MOVED:
                ctxt = ctxt.replace("#seg-", "#moved-seg-")  # renumbered, as when an item is inserted
            case.changed[ctxt] = old_text
        case.new[ctxt] = msgid
    # New segments are spread through the template, as they are when a page grows.
    items = list(case.new.items())
    for k in range(int(size * ADDED)):
        ctxt = f"{rng.choice(DOCUMENTS)}/topic-{rng.randrange(n_doc)}#new-{k}"
        items.insert(rng.randrange(len(items) + 1), (ctxt, sentence(rng)))
        case.added.add(ctxt)
    case.new = dict(items)
    case.removed = removed
    return case


def write_files(case: Case, directory: Path) -> tuple[Path, Path]:
    header = (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: portal 1.0\\n"\n'
        '"POT-Creation-Date: 2024-05-01 12:00+0000\\n"\n"PO-Revision-Date: {rev}\\n"\n'
        '"Last-Translator: {who}\\n"\n"Language-Team: {team}\\n"\n{lang}'
        '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n\n'
    )
    po = [
        header.format(
            rev="2024-04-02 10:00+0000",
            who="Ana <ana@example.org>",
            team="fr <fr@example.org>",
            lang='"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n',
        )
    ]
    for i, (ctxt, msgid) in enumerate(case.old.items()):
        page = ctxt.split("#")[0]
        comment = "# reviewed by Ana\n" if i % 10 == 0 else ""
        po.append(
            f'{comment}#. {ctxt}\n#: source_docs/{page}.html\nmsgctxt "{ctxt}"\n'
            f'msgid "{esc(msgid)}"\nmsgstr "{esc(msgid.translate(PSEUDO))}"\n\n'
        )
    pot = [
        header.format(
            rev="YEAR-MO-DA HO:MI+ZONE", who="FULL NAME <EMAIL@ADDRESS>", team="LANGUAGE <LL@li.org>", lang=""
        )
    ]
    for ctxt, msgid in case.new.items():
        page = ctxt.split("#")[0]
        pot.append(
            f'#. {ctxt}\n#: source_docs/{page}.html\nmsgctxt "{ctxt}"\nmsgid "{esc(msgid)}"\nmsgstr ""\n\n'
        )
    def_po, ref_pot = directory / "DEF.po", directory / "REF.pot"
    def_po.write_text("".join(po), encoding="utf-8")
    ref_pot.write_text("".join(pot), encoding="utf-8")
    return def_po, ref_pot


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def count(out: Path, case: Case) -> dict[str, int]:
    """Exact / fuzzy / new / obsolete entries of a merged file, and how many fuzzy ones are right."""
    po = polib.pofile(str(out), wrapwidth=0)
    stats = {"exact": 0, "fuzzy": 0, "new": 0, "obsolete": 0, "correct_fuzzy": 0, "wrong_fuzzy": 0, "lost": 0}
    translated_ctxts = set()
    for entry in po:
        if entry.obsolete:
            stats["obsolete"] += 1
            continue
        if entry.msgstr:
            translated_ctxts.add(entry.msgctxt)
        if "fuzzy" in entry.flags:
            stats["fuzzy"] += 1
            if case.changed.get(entry.msgctxt) == entry.previous_msgid:
                stats["correct_fuzzy"] += 1
            elif entry.msgctxt not in case.changed:
                stats["wrong_fuzzy"] += 1
        elif entry.msgstr:
            stats["exact"] += 1
        else:
            stats["new"] += 1
    # A changed segment whose translation did not come back as a draft has lost its translation.
    stats["lost"] = sum(1 for ctxt in case.changed if ctxt not in translated_ctxts)
    return stats


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one child process, measured by the kernel (wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def ours_command(def_po: Path, ref_pot: Path, out: Path) -> list[str]:
    # The whole `portal catalog merge` path (read both files, merge, write), without the CLI's
    # import of typer and rich.
    code = "import sys; from pipeline.localization.merge import merge_files; merge_files(*sys.argv[1:])"
    return [sys.executable, "-c", code, str(def_po), str(ref_pot), str(out)]


def compare(def_po: Path, ref_pot: Path, directory: Path, *, msgmerge: bool = True) -> dict:
    ours_out, theirs_out = directory / "ours.po", directory / "msgmerge.po"
    ours_s, ours_mb = timed(ours_command(def_po, ref_pot, ours_out))
    if not msgmerge:  # above --msgmerge-max msgmerge takes a quarter of an hour or more
        return {"ours_s": round(ours_s, 3), "ours_mb": round(ours_mb, 1)}
    theirs_s, theirs_mb = timed(
        ["msgmerge", "--previous", "-q", "-o", str(theirs_out), str(def_po), str(ref_pot)]
    )
    return {
        "ours_s": round(ours_s, 3),
        "msgmerge_s": round(theirs_s, 3),
        "ratio": round(ours_s / theirs_s, 3),
        "ours_mb": round(ours_mb, 1),
        "msgmerge_mb": round(theirs_mb, 1),
    }


def run_size(size: int, directory: Path, *, msgmerge: bool = True) -> dict:
    case = generate(size)
    def_po, ref_pot = write_files(case, directory)
    result = compare(def_po, ref_pot, directory, msgmerge=msgmerge)
    if msgmerge:
        result["msgmerge"] = count(directory / "msgmerge.po", case)
    result.update(
        ours=count(directory / "ours.po", case),
        expected={
            "exact": size - len(case.removed) - len(case.changed),
            "fuzzy": len(case.changed),
            "new": len(case.added),
            "obsolete": len(case.removed),
        },
    )
    return result


def run_real(directory: Path) -> dict:
    """A real pair: Sphinx 7.2.6's Japanese catalog and Sphinx 8.1.3's template (tests/data/po)."""
    result = compare(REAL / "ja-7.2.6.po", REAL / "sphinx-8.1.3.pot", directory)
    for tool, name in (("ours", "ours.po"), ("msgmerge", "msgmerge.po")):
        po = polib.pofile(str(directory / name), wrapwidth=0)
        result[tool] = {
            "exact": len(po.translated_entries()),
            "fuzzy": len(po.fuzzy_entries()),
            "new": len(po.untranslated_entries()),
            "obsolete": len(po.obsolete_entries()),
        }
    same = (directory / "ours.po").read_bytes() == (directory / "msgmerge.po").read_bytes()
    result["identical_output"] = same
    return result


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="catalog update: ours vs msgmerge --previous (time ratio = ours / msgmerge)")
    for column in (
        "size",
        "tool",
        "seconds",
        "peak MB",
        "exact",
        "fuzzy",
        "correct fuzzy",
        "wrong fuzzy",
        "new",
        "obsolete",
        "lost",
    ):
        table.add_column(column, justify="right")
    for size, result in results.items():
        for tool, seconds in (
            ("expected", None),
            ("ours", result["ours_s"]),
            ("msgmerge", result.get("msgmerge_s")),
        ):
            if tool not in result:
                continue
            row = result[tool]
            table.add_row(
                size,
                tool,
                "" if seconds is None else f"{seconds:.3f}",
                "" if seconds is None else f"{result[tool + '_mb']:.0f}",
                str(row["exact"]),
                str(row["fuzzy"]),
                str(row.get("correct_fuzzy", row["fuzzy"])),
                str(row.get("wrong_fuzzy", 0)),
                str(row["new"]),
                str(row["obsolete"]),
                str(row.get("lost", 0)),
            )
        ratio = f"{result['ratio']:.2f}x" if "ratio" in result else "(msgmerge skipped)"
        table.add_row(size, "ratio", ratio, *[""] * 8, end_section=True)
    Console(width=max(Console().width, 110)).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000", help="comma-separated catalog sizes")
    parser.add_argument(
        "--msgmerge-max",
        type=int,
        default=60_000,
        help="run msgmerge only up to this size (it takes over 15 minutes at 166,000 messages)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    parser.add_argument("--no-real", action="store_true", help="skip the real-catalog row (Sphinx ja)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = {}
    for size in sizes:
        directory = Path(tempfile.mkdtemp(prefix=f"catalog-bench-{size}-"))
        try:
            results[str(size)] = run_size(size, directory, msgmerge=size <= args.msgmerge_max)
            if args.keep:
                shutil.copytree(directory, args.keep / str(size), dirs_exist_ok=True)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if not args.no_real:
        directory = Path(tempfile.mkdtemp(prefix="catalog-bench-real-"))
        try:
            results["sphinx ja"] = run_real(directory)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
