"""The Whoosh search index per locale: analyzers, schema, build and atomic publish, query
understanding (lay words, questions, typos, abbreviations), the search engine, and evaluation.
"""

__all__ = [
    "analyzers",
    "build",
    "engine",
    "evaluation",
    "query",
    "schema",
    "segmenter",
    "synonyms",
]
