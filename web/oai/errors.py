"""OAI-PMH errors: one exception carrying the protocol's error codes."""

from __future__ import annotations

from collections.abc import Sequence


class OAIError(Exception):
    """One or more OAI-PMH errors; ``echo`` says whether the request attributes are shown."""

    def __init__(self, errors: Sequence[tuple[str, str]], echo: bool = True) -> None:
        super().__init__("; ".join(f"{code}: {text}" for code, text in errors))
        self.errors = list(errors)
        self.echo = echo


def bad_argument(message: str) -> OAIError:
    return OAIError([("badArgument", message)], echo=False)

