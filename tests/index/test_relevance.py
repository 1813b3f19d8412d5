"""Relevance on the real corpus: judged queries must reach MRR >= 0.90 in en, es, zh_Hans and ar.

The English corpus is extracted from the source snapshots. The Spanish one is published from
``locales/es`` with the reviewers' decisions; until most of the glossary is approved in Spanish
the Spanish assertion is skipped with the count in its reason (it is not meaningful on English
fallbacks), and runs from then on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_live_release

from index.build import publish_indexes
from index.engine import SearchEngine
from index.evaluation import evaluate, load_judgments
from pipeline.config import load_settings
from pipeline.extraction.extractor import extract_sources
from pipeline.extraction.sources import load_manifest
from pipeline.publishing.policy import DEFAULT_POLICY, Translations, publish_locale

RELEVANCE = Path(__file__).resolve().parents[1] / "relevance"
MIN_MRR = 0.90
MIN_TRANSLATED_GLOSSARY = 0.8


def _spanish(corpus, locales_dir: Path, locale: str = "es"):
    """A locale published from its catalog and review log, as `portal refresh` publishes it."""
    from pipeline.localization.pofile import catalog_path, read_catalog
    from pipeline.localization.review import Decisions, log_path, read_log

    path = catalog_path(locales_dir, locale)
    if not path.exists():
        return publish_locale(corpus, locale, None)
    log = log_path(locales_dir, locale)
    decisions = Decisions.from_entries(read_log(log))
    translations = Translations(locale, read_catalog(path, locale=locale), decisions, DEFAULT_POLICY)
    return publish_locale(corpus, locale, translations)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    settings = load_settings()
    corpus = extract_sources(load_manifest(settings.sources_path))
    data_dir = tmp_path_factory.mktemp("real")
    spanish = _spanish(corpus, settings.locales_path)
    others = [_spanish(corpus, settings.locales_path, locale) for locale in ("zh_Hans", "ar")]
    make_live_release(data_dir, [publish_locale(corpus, "en", None), spanish, *others])
    publish_indexes(data_dir)
    with SearchEngine(data_dir) as engine:
        yield engine, spanish


def test_acceptance_queries(real):
    engine, _ = real
    assert engine.search("low platelets").results[0].id == "glossary/thrombocytopenia"
    assert "glossary/neutropenia" in [h.id for h in engine.search("nutropenia").results]
    assert engine.search("VGPR").results[0].id == "glossary/very-good-partial-response"
    assert "glossary/dehydration" in [h.id for h in engine.search("deshidratacion", locale="es").results]


def test_english_mrr(real):
    engine, _ = real
    report = evaluate(engine, "en", load_judgments(RELEVANCE / "en.toml"))
    misses = [(s.judgment.q, s.ranked[:3]) for s in report.failures()]
    assert report.overall.mrr >= MIN_MRR, (report.table(), misses)
    for name, metrics in report.by_category().items():
        assert metrics.mrr >= 0.7, (name, report.table())


def test_spanish_mrr(real):
    engine, spanish = real
    glossary = [d for d in spanish.documents if d.kind == "glossary"]
    translated = sum(not d.fallback for d in glossary)
    if translated < MIN_TRANSLATED_GLOSSARY * len(glossary):
        pytest.skip(
            f"Spanish relevance needs approved translations: {translated}/{len(glossary)} glossary "
            f"entries are translated in locales/es (need {MIN_TRANSLATED_GLOSSARY:.0%})"
        )
    report = evaluate(engine, "es", load_judgments(RELEVANCE / "es.toml"))
    misses = [(s.judgment.q, s.ranked[:3]) for s in report.failures()]
    assert report.overall.mrr >= MIN_MRR, (report.table(), misses)


@pytest.mark.parametrize("locale", ["zh_Hans", "ar"])
def test_chinese_and_arabic_mrr(real, locale):
    engine, _ = real
    report = evaluate(engine, locale, load_judgments(RELEVANCE / f"{locale}.toml"))
    misses = [(s.judgment.q, s.ranked[:3]) for s in report.failures()]
    assert report.overall.mrr >= MIN_MRR, (report.table(), misses)


@pytest.mark.parametrize("locale", ["en", "es", "zh_Hans", "ar"])
def test_questions_with_known_words_are_never_empty(real, locale):
    """A judged query (not of category none) always returns something: a part of it at least."""
    engine, _ = real
    for judgment in load_judgments(RELEVANCE / f"{locale}.toml"):
        if judgment.category not in ("none", "misspelling"):
            assert engine.search(judgment.q, locale=locale).results, judgment.q


def test_partial_answers_are_flagged(real):
    engine, _ = real
    response = engine.search("swollen legs and sore feet")
    assert response.results and response.partial
    assert not engine.search("thrombocytopenia").partial
    assert engine.search("dog food").results == []
