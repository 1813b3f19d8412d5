"""The Prefect adapter over ``pipeline.refresh``: the deployable flow, the executor that runs a
refresh's pieces as tasks, and deployments. Orchestration only; the work lives in pipeline/.
"""

__all__ = [
    "deploy",
    "executor",
    "refresh",
]
