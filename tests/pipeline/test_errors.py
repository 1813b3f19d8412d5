"""Errors keep their class, message and context when they cross a process boundary."""

from __future__ import annotations

import pickle

import pytest

from pipeline import errors as E
from pipeline.extraction.profile import ProfileError

EXAMPLES = [
    E.PortalError("plain"),
    E.ConfigError("must be a number", setting="fetch_timeout"),
    E.SourceError("unknown id", source="glossary"),
    E.FetchError("timed out", source="glossary", url="http://127.0.0.1/", attempts=3),
    ProfileError("unknown profile", source="glossary"),
    E.ExtractionError(source="glossary", profile="glossary", problem="no <dl class='terms'>"),
    E.CatalogError("unreadable", file="es.po", line=3),
    E.CatalogSyntaxError("unterminated string", file="es.po", line=7),
    E.StorageError("disk full", file="/tmp/x"),
    E.LockBusyError("index build", lock="/tmp/index.lock", holder="pid 42"),
    E.ReviewError("QA error", locale="es", segment="glossary/anemia#term"),
    E.ReviewLogError("bad signature", file="review-log.jsonl", line=9),
    E.AccountError("locked", failures=5, locked=True),
    E.TranslationError("no key", provider="deepl"),
    E.SearchIndexError("corrupt", locale="es", path="/tmp/index/es"),
    E.PublishError("no release", path="/tmp/var"),
    E.RefreshError("1 step(s) failed", failed={"source glossary": "gone"}, summary={"status": "failed"}),
]


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_survives_pickling_with_its_message_and_context(error: E.PortalError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
    assert copy.exit_code == error.exit_code


def test_the_examples_cover_the_whole_error_tree() -> None:
    def tree(cls: type) -> set[type]:
        return {cls}.union(*(tree(sub) for sub in cls.__subclasses__()))

    assert tree(E.PortalError) == {type(e) for e in EXAMPLES}
