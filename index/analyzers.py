"""Per-locale text analysis: folding, stop words, stemming, Arabic normalization, CJK bigrams."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.analysis.acore import Token
from whoosh.lang import NoStemmer, NoStopWords, stemmer_for_language, stopwords_for_language

# Words of any script; underscores are punctuation for patients.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_LETTER = rf"(?:[^\W_]|[{_MARKS}])"
WORD_PATTERN = rf"[^\W_]{_LETTER}*(?:['’]{_LETTER}+)*"

WORD_RE = re.compile(WORD_PATTERN)
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")

# Letters a stop list must never drop: "M protein", "B lymphocytes", "In vitro" stays findable by "M".
_KEEP_LETTERS = frozenset("bcdfghjklmnpqrstvwxz")

# Words patients wrap around a question that no document needs to contain.
_QUESTION_WORDS = {
    "en": {
        "what",
        "whats",
        "how",
        "why",
        "who",
        "which",
        "i",
        "me",
        "my",
        "do",
        "does",
        "did",
        "am",
        "should",
        "could",
        "would",
        "mean",
        "means",
        "meaning",
        "definition",
        "define",
        "about",
        "s",
        "t",
        "im",
        "ive",
        "there",
        "any",
        "get",
        "getting",
        "know",
        "tell",
        "can",
        "cant",
        "will",
        "is",
        "it",
        "this",
        "that",
        "happens",
        "happen",
        "if",
        "often",
        "feel",
        "feeling",
        "lot",
        "really",
        "all",
        "over",
        "are",
        "be",
        "while",
        "ok",
        "okay",
        "safe",
        "need",
        "on",
        "please",
        "like",
        "help",
    },
    "es": {
        "que",
        "qué",
        "como",
        "cómo",
        "cual",
        "cuál",
        "cuales",
        "cuáles",
        "quien",
        "quién",
        "puedo",
        "debo",
        "significa",
        "significado",
        "definicion",
        "definición",
        "tengo",
        "mi",
        "mis",
        "me",
        "se",
        "le",
        "lo",
        "la",
        "esto",
        "eso",
        "estoy",
        "hay",
        "hago",
        "pasa",
        "puede",
        "pueden",
        "cuando",
        "cuándo",
        "donde",
        "dónde",
        "cuanto",
        "cuánto",
        "cada",
        "mucho",
        "mucha",
        "muchos",
        "muchas",
        "necesito",
        "usar",
        "siento",
        "si",
        "sé",
        "va",
        "voy",
    },
    # Chinese words come from the segmenter: particles, pronouns and question words.
    "zh": {
        "的",
        "了",
        "是",
        "吗",
        "呢",
        "吧",
        "啊",
        "我",
        "我的",
        "你",
        "他",
        "她",
        "它",
        "这",
        "这个",
        "那",
        "什么",
        "什么是",
        "是什么",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "为什么",
        "哪些",
        "哪",
        "有",
        "没有",
        "会",
        "能",
        "能不能",
        "可以",
        "要",
        "需要",
        "很",
        "太",
        "一直",
        "老是",
        "总是",
        "经常",
        "觉得",
        "感觉",
        "意思",
        "指",
        "上",
        "里",
        "身上",
        "和",
        "与",
        "或",
        "在",
        "就",
        "都",
        "也",
        "还",
        "多",
        "一下",
        "请问",
    },
    # Arabic question words and particles (after normalization: alef and teh marbuta variants folded).
    "ar": {
        "ما",
        "ماذا",
        "هل",
        "كيف",
        "متى",
        "لماذا",
        "اين",
        "من",
        "هو",
        "هي",
        "معنى",
        "يعني",
        "تعني",
        "في",
        "على",
        "الى",
        "عن",
        "مع",
        "او",
        "و",
        "ان",
        "انا",
        "لدي",
        "عندي",
        "اشعر",
        "هذا",
        "هذه",
        "ذلك",
        "التي",
        "الذي",
        "كل",
        "جدا",
        "يمكن",
        "يمكنني",
        "هناك",
        "لا",
    },
}
# "get" stays a stop word only for queries; "get pregnant" is found through "pregnant".


def language(locale: str) -> str:
    """The language part of a locale: 'zh_Hans' -> 'zh', 'en_XA' (pseudo-English) -> 'en'."""
    return locale.replace("-", "_").split("_")[0].lower()


@functools.lru_cache(maxsize=100_000)  # words repeat: every snippet folds its whole text again
def fold(text: str) -> str:
    """Lower case without accents or Arabic diacritics: 'Deshidratación' -> 'deshidratacion'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


_ARABIC_MAP = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None, "ٱ": "ا", "أ": "ا", "إ": "ا", "آ": "ا"})


def normalize_arabic(text: str) -> str:
    """Arabic normalization after folding: alef variants, alef maqsura, teh marbuta and tatweel."""
    return text.translate(_ARABIC_MAP)


def normalizer(locale: str) -> Callable[[str], str]:
    """The function that turns a word into its indexed surface form in a locale."""
    if language(locale) == "ar":
        return lambda word: normalize_arabic(fold(word))
    return fold


@functools.cache
def stopwords(locale: str) -> frozenset[str]:
    """The stop words of a locale, folded, never a bare consonant."""
    try:
        words = set(stopwords_for_language(language(locale)))
    except NoStopWords:
        words = set()
    norm = normalizer(locale)
    return frozenset(norm(w) for w in words if w not in _KEEP_LETTERS)


@functools.cache
def query_stopwords(locale: str) -> frozenset[str]:
    """Stop words plus the question words patients type around a term."""
    norm = normalizer(locale)
    extra = {norm(w) for w in _QUESTION_WORDS.get(language(locale), ())}
    return stopwords(locale) | extra


# Attached prefixes of Arabic words: a conjunction or preposition glued to the article
# ("والجفاف" = "and the dehydration", "بالصفائح" = "with the platelets"), then the article alone.
_AR_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال")


def strip_arabic_prefix(word: str) -> str:
    """The word without its article (2 letters must remain: "الدم") or article and particle (3).

    A bare "و" or "ب" is left alone: too many words start with those letters ("وذمة", edema).
    """
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= (2 if prefix == "ال" else 3):
            return word[len(prefix) :]
    return word


@functools.cache
def _arabic_stemmer() -> Callable[[str], str]:
    """Snowball's Arabic light stemmer after our prefix rule: 'الحكة' and 'حكة' meet at one stem."""
    import snowballstemmer

    snowball = snowballstemmer.stemmer("arabic")
    return lambda word: normalize_arabic(snowball.stemWord(strip_arabic_prefix(word)))


@functools.cache
def stemmer(locale: str) -> Callable[[str], str]:
    """The stemmer of a locale's language, or the identity where there is none."""
    try:
        stem = _arabic_stemmer() if language(locale) == "ar" else stemmer_for_language(language(locale))
    except NoStemmer:
        return lambda word: word
    cached = functools.lru_cache(maxsize=50000)(stem)
    return lambda word: word if CJK_RE.search(word) else cached(word)


class NormalizeFilter(Filter):
    """Fold case and accents (plus Arabic letter variants) of every token."""

    def __init__(self, locale: str = "en") -> None:
        self.locale = locale

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NormalizeFilter) and other.locale == self.locale

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        norm = normalizer(self.locale)
        for token in tokens:
            token.text = norm(token.text)
            yield token


class StemmingFilter(Filter):
    """Stem with the locale's stemmer (picklable by locale name, unlike a bound function)."""

    def __init__(self, locale: str = "en") -> None:
        self.locale = locale

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemmingFilter) and other.locale == self.locale

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = stemmer(self.locale)
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


class CJKBigramFilter(Filter):
    """Split runs of CJK characters into overlapping bigrams (a lone character stays a unigram).

    Chinese has no spaces; bigrams find words without a dictionary, the usual choice of
    search engines without a segmenter.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CJKBigramFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for token in tokens:
            text = token.text
            if token.positions:
                token.pos += shift
            if not CJK_RE.search(text):
                yield token
                continue
            start, pos = (token.startchar if token.chars else 0), (token.pos if token.positions else 0)
            pieces = cjk_pieces(text)
            for i, (offset, piece) in enumerate(pieces):
                token.text = piece
                if token.positions:
                    token.pos = pos + i
                if token.chars:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(piece)
                yield token
            shift += max(len(pieces) - 1, 0)


_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_RUNS_RE = re.compile(f"([{_CJK_CLASS}]+)|([^{_CJK_CLASS}]+)")


def cjk_pieces(text: str) -> list[tuple[int, str]]:
    """Bigrams of the CJK runs of a word and its other runs whole, with their offsets."""
    pieces: list[tuple[int, str]] = []
    for match in _RUNS_RE.finditer(text):
        run, start = match.group(), match.start()
        if match.group(1) and len(run) > 1:
            pieces.extend((start + j, run[j : j + 2]) for j in range(len(run) - 1))
        else:
            pieces.append((start, run))
    return pieces


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def text_analyzer(locale: str):
    """Full analysis for titles and bodies: fold, stop words (minimum length 1), stem, CJK bigrams."""
    chain = _tokenizer() | LowercaseFilter() | NormalizeFilter(locale)
    if language(locale) == "zh":
        return chain | CJKBigramFilter()
    return chain | StopFilter(stoplist=stopwords(locale), minsize=1) | StemmingFilter(locale)


def plain_analyzer(locale: str):
    """Surface forms only (fold, CJK bigrams; no stop words, no stemming): typos, prefixes, names."""
    chain = _tokenizer() | LowercaseFilter() | NormalizeFilter(locale)
    if language(locale) == "zh":
        return chain | CJKBigramFilter()
    return chain


def exact_analyzer():
    """One token per line: the keys of whole titles, terms and abbreviations."""
    return RegexTokenizer(r"[^\n]+")


def exact_key(text: str, locale: str = "en") -> str:
    """The key of a whole phrase: folded words joined by single spaces."""
    norm = normalizer(locale)
    return " ".join(norm(w) for w in WORD_RE.findall(text))


def words(text: str) -> list[str]:
    """The words of a text as a patient typed them."""
    return WORD_RE.findall(text)
