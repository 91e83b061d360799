"""The ``catalogue`` command: one module per command group, each a thin adapter over the
library modules of ``catalogue/``. Importing this package registers every subcommand on
:data:`main`."""

from __future__ import annotations

from catalogue.cli import (  # noqa: F401 (registers the commands)
    curate,
    harvest,
    maintenance,
    report,
    serve,
    sources,
)
from catalogue.cli.app import Context, main
from catalogue.cli.harvest import progress_line, run_harvest

__all__ = ["Context", "main", "progress_line", "run_harvest"]
