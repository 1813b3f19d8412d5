"""Chinese word segmentation of queries: jieba's dictionary, loaded once and only when needed.

The index keeps character bigrams (they find any word without a dictionary); a query is cut into
words first so that each word is a concept of its own ("血小板减少是什么意思" is 血小板 + 减少, not one
long string that no document contains). Lay phrases of the synonym table stay whole.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection
from typing import Any

_lock = threading.Lock()
_tokenizer: Any = None
_HAN_RUNS = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


def _jieba() -> Any:
    """The one jieba tokenizer of the process (its dictionary takes about a second to load)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def _with_phrases(run: str, phrases: Collection[str], longest: int) -> list[tuple[str, bool]]:
    """Greedy longest matches of known phrases in a run, and the stretches between them."""
    pieces: list[tuple[str, bool]] = []
    start = i = 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 1, -1):
            if run[i : i + size] in phrases:
                if start < i:
                    pieces.append((run[start:i], False))
                pieces.append((run[i : i + size], True))
                i = start = i + size
                break
        else:
            i += 1
    if start < len(run):
        pieces.append((run[start:], False))
    return pieces


def segment(word: str, phrases: Collection[str] = ()) -> list[str]:
    """The words of a Chinese query word; other scripts in it stay as they are."""
    longest = max((len(p) for p in phrases), default=0)
    out: list[str] = []
    for match in _HAN_RUNS.finditer(word):
        run = match.group()
        if not ("\u3400" <= run[0] <= "\u9fff" or "\uf900" <= run[0] <= "\ufaff"):
            out.append(run)
            continue
        for piece, known in _with_phrases(run, phrases, longest):
            out.extend([piece] if known or len(piece) == 1 else _jieba().lcut(piece, HMM=True))
    return [w for w in out if w.strip()]
