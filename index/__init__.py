"""The Whoosh search index: analyzers, schema, build and publish, query, evaluation."""
