"""Prefect flows and deployments: orchestration only, the work lives in pipeline/ and index/."""
