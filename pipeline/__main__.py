"""`python -m pipeline` runs the portal CLI."""

from pipeline.cli import main

main()
