"""The public surface: every package declares what it exports, and only that is used across packages."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "pipeline",
    "pipeline.extraction",
    "pipeline.localization",
    "pipeline.publishing",
    "pipeline.refresh",
    "pipeline.cli",
    "index",
    "flows",
    "portal",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_declares_what_it_exports_and_it_exists(name: str) -> None:
    package = importlib.import_module(name)
    exported = package.__all__
    assert exported, f"{name} exports nothing"
    for item in exported:
        assert hasattr(package, item) or importlib.util.find_spec(f"{name}.{item}"), f"{name}.{item}"


def _package_of(module: str) -> str:
    """The stage a module belongs to: pipeline.localization.review -> pipeline.localization."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "pipeline" and len(parts) > 2 else parts[0]


def _private_imports() -> list[str]:
    found = []
    for folder in ("pipeline", "index", "flows", "portal"):
        for path in (ROOT / folder).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    if _package_of(node.module) == _package_of(module):
                        continue
                    found += [
                        f"{module} imports {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_") and not a.name.endswith("__")  # dunders are public
                    ]
    return found


def test_no_module_imports_a_private_name_from_another_package() -> None:
    assert _private_imports() == []


def test_the_library_never_imports_the_command_line() -> None:
    for folder in ("pipeline", "index", "flows", "portal"):
        for path in (ROOT / folder).rglob("*.py"):
            if "cli" in path.relative_to(ROOT).parts or path.name == "__main__.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("pipeline.cli"), f"{path} imports {node.module}"


def test_a_process_started_with_this_sys_path_imports_the_real_packages(tmp_path: Path) -> None:
    # Dask's spawned workers start from the test session's sys.path, which holds tests/ (this
    # file's folder); tests/pipeline and the like must not shadow the packages as namespaces.
    code = (
        "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
        "import pipeline.refresh.steps, index.build, flows.refresh, portal.app; print(pipeline.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(sys.path)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == str(ROOT / "pipeline" / "__init__.py")
