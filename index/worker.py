"""The child process of a parallel index build: ``python -m index.worker RELEASE LOCALE [--full]``."""

from __future__ import annotations

import sys

from index.build import build_child

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(build_child(sys.argv[1:]))
