"""The `portal` CLI command groups, one module each."""
