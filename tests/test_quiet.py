"""--no-progress and --quiet (issue 18, part 7): no progress log lines, and
with --quiet nothing but what made the exit status (in real processes: the
log handlers are those a user gets)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TEXT = "鞍山市教育集团\n\n目前鞍山市组建教育集团55个。\n"


def extract_run(tmp_path: Path, *flags: str, empty: bool = False) -> subprocess.CompletedProcess:
    inp = tmp_path / "in"
    inp.mkdir(exist_ok=True)
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    if empty:
        (inp / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / ("out" + "".join(flags).replace("-", "_"))
    return subprocess.run([sys.executable, "-m", "extract", "run", str(inp), "--out", str(out), *flags],
                          capture_output=True, text=True, timeout=300)


def test_without_a_terminal_progress_is_logged(tmp_path):
    done = extract_run(tmp_path, "-j", "1")
    assert done.returncode == 0, done.stderr
    assert " INFO 1/1 articles" in done.stderr and "1 articles (1 processed" in done.stderr


def test_no_progress_means_no_progress_lines(tmp_path):
    done = extract_run(tmp_path, "-j", "1", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert " INFO " not in done.stderr and "articles/s" not in done.stderr
    assert "1 articles (1 processed" in done.stderr    # the summary stays


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_quiet_means_quiet(tmp_path, engine):
    done = extract_run(tmp_path, "-j", "1", "--quiet", "--engine", engine)
    assert done.returncode == 0 and done.stderr == "" and done.stdout == "", done.stderr


def test_quiet_still_says_why_the_status_is_3(tmp_path):
    done = extract_run(tmp_path, "-j", "1", "-q", empty=True)
    assert done.returncode == 3
    lines = done.stderr.splitlines()
    assert lines[0] == "error empty_file ×1: an empty file or page" and len(lines) == 3, done.stderr
    assert lines[2].startswith("    fix: ")
