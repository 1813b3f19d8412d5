"""Relevance metrics and judgment files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from index.evaluation import CATEGORIES, Judgment, load_judgments, score
from pipeline.errors import SearchIndexError

RELEVANCE = Path(__file__).resolve().parents[1] / "relevance"


def test_reciprocal_rank_and_ndcg():
    j = Judgment("q", "exact", ["a"], ["b"])
    assert score(j, ["a", "b"]).rr == 1.0 and score(j, ["a", "b"]).ndcg == pytest.approx(1.0)
    s = score(j, ["x", "b", "a"])
    assert s.rr == pytest.approx(1 / 3)
    assert s.success(1) == 0.0 and s.success(3) == 1.0
    ideal = 3 + 1 / math.log2(3)
    assert s.ndcg == pytest.approx((1 / math.log2(3) + 3 / 2) / ideal)
    assert score(j, []).rr == 0.0


def test_none_category_scores_empty_results_only():
    j = Judgment("dog food", "none", [])
    assert score(j, []).rr == 1.0 and score(j, []).success(1) == 1.0
    assert score(j, ["isi/x"]).rr == 0.0


def test_judgment_files_are_big_enough_and_cover_every_category():
    for locale in ("en", "es"):
        judged = load_judgments(RELEVANCE / f"{locale}.toml")
        assert len(judged) >= 60
        assert sum(j.category in ("question", "symptom") for j in judged) >= 30
        assert {j.category for j in judged} <= set(CATEGORIES)
    for locale in ("zh_Hans", "ar"):
        judged = load_judgments(RELEVANCE / f"{locale}.toml")
        assert len(judged) >= 40
        assert {"exact", "lay", "symptom", "question", "none"} <= {j.category for j in judged}
        assert {j.category for j in judged} <= set(CATEGORIES)


def test_bad_judgment_file(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('[[query]]\nq = "a"\ncategory = "exact"\n')
    with pytest.raises(SearchIndexError, match="no relevant documents"):
        load_judgments(bad)
    with pytest.raises(SearchIndexError, match="no judged queries"):
        load_judgments(tmp_path / "missing.toml")
