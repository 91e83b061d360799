"""``python -m catalogue``."""

from catalogue.cli import main

main()
