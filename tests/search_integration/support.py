"""Reader processes and the `catalogue` command, run side by side against one data directory."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def catalogue(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``python -m catalogue ARGS`` like an operator would; fail the test on a non-zero exit."""
    proc = subprocess.run([sys.executable, "-m", "catalogue", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@dataclass
class Report:
    rounds: int
    failures: int
    errors: list[str]
    rows: list[list[Any]]  # [time, generation, browse total, word total]

    def between(self, start: float, end: float) -> list[list[Any]]:
        return [row for row in self.rows if start <= row[0] <= end]

    @property
    def generations(self) -> list[str]:
        return list(dict.fromkeys(row[1] for row in self.rows))

    @property
    def totals(self) -> list[int]:
        return [row[2] for row in self.rows]


class Readers:
    """``count`` reader processes on ``data_dir``; started and ready on enter, stopped by ``stop``."""

    def __init__(self, env: dict[str, str], data_dir: Path, count: int, *extra: str) -> None:
        self.env = env
        self.data_dir = data_dir
        self.count = count
        self.extra = extra
        self.stop_file = data_dir.parent / f"stop-readers-{time.monotonic_ns()}"
        self.procs: list[subprocess.Popen[str]] = []

    def __enter__(self) -> Readers:
        for _ in range(self.count):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "tests.search_integration.reader", str(self.data_dir),
                 "--stop-file", str(self.stop_file), *self.extra],
                env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for proc in self.procs:
            assert proc.stdout is not None
            first = proc.stdout.readline().strip()
            if first != "ready":
                self._kill()
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"reader did not start: {first}\n{err}")
        return self

    def stop(self, linger: float = 0.3) -> list[Report]:
        """Let the readers run ``linger`` seconds more, then collect their reports."""
        time.sleep(linger)
        self.stop_file.touch()
        reports = []
        for proc in self.procs:
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            reports.append(Report(**json.loads(out.strip().splitlines()[-1])))
        return reports

    def _kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def __exit__(self, *exc: object) -> None:
        self.stop_file.touch()
        self._kill()
