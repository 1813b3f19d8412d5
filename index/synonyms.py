"""Lay synonyms: the words patients type mapped to the terms the documents use, one file per locale."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.analyzers import exact_key, language, query_stopwords
from pipeline.errors import SearchIndexError

SYNONYMS_DIR = Path(__file__).resolve().parent / "synonyms"


@dataclass(frozen=True)
class SynonymMatch:
    """Words start..end (exclusive) of a query are a lay phrase for these English terms."""

    start: int
    end: int
    targets: tuple[str, ...]


@dataclass
class Synonyms:
    """A lay-phrase table keyed by folded word tuples."""

    table: dict[tuple[str, ...], tuple[str, ...]]

    @property
    def longest(self) -> int:
        return max((len(k) for k in self.table), default=0)

    def matches(self, folded_words: list[str]) -> list[SynonymMatch]:
        """Greedy longest, left-to-right, non-overlapping matches over folded query words."""
        found: list[SynonymMatch] = []
        i = 0
        while i < len(folded_words):
            for size in range(min(self.longest, len(folded_words) - i), 0, -1):
                targets = self.table.get(tuple(folded_words[i : i + size]))
                if targets:
                    found.append(SynonymMatch(i, i + size, targets))
                    i += size
                    break
            else:
                i += 1
        return found


def content_key(phrase: str, locale: str) -> tuple[str, ...]:
    """The folded words of a phrase without its stop words (all of them if nothing else is left).

    Matching skips the stop words of queries too, so "my skin is itching" meets "skin itching".
    """
    folded = exact_key(phrase, locale).split()
    stops = query_stopwords(locale)
    return tuple(w for w in folded if w not in stops) or tuple(folded)


def parse_synonyms(text: str, locale: str, *, origin: str = "<string>") -> Synonyms:
    """Read a synonyms TOML document: a ``[synonyms]`` table of phrase = [terms]."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SearchIndexError(
            f"synonyms file is not valid TOML: {exc}", locale=locale, path=origin
        ) from None
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for phrase, targets in data.get("synonyms", {}).items():
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise SearchIndexError(
                f"synonym {phrase!r} must map to a list of terms", locale=locale, path=origin
            )
        key = content_key(phrase, locale)
        if key:
            table[key] = tuple(dict.fromkeys(table.get(key, ()) + tuple(targets)))
    return Synonyms(table)


@functools.cache
def load_synonyms(locale: str, directory: Path = SYNONYMS_DIR) -> Synonyms:
    """The synonyms of a locale (or of its language), then the English ones it does not override.

    English lay phrases work in every locale because every document keeps its English title
    searchable: "low platelets" typed in Spanish still finds Trombocitopenia.
    """
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name in (locale, language(locale)):
        path = Path(directory) / f"{name}.toml"
        if path.is_file():
            table = parse_synonyms(path.read_text(encoding="utf-8"), locale, origin=str(path)).table
            break
    if language(locale) != "en":
        for key, targets in load_synonyms("en", directory).table.items():
            table.setdefault(key, targets)
    return Synonyms(table)
