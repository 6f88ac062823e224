"""A run killed midway (SIGKILL) leaves no corrupt output and resumes to the same tables."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from extract.runs.run import run
from runhelpers import assert_same_tables, make_input, manifest

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "extract", "run", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, **kw)


def finished_shards(out):
    parts = out / ".parts"
    if not parts.is_dir():
        return []
    return [d for key in parts.iterdir() if key.is_dir() for d in key.iterdir()
            if d.is_dir() and d.name.startswith("s")]


def test_killed_run_resumes_to_the_uninterrupted_tables(tmp_path, extractor):
    inp = make_input(tmp_path / "in", n_seeds=3, copies=4)  # 12 articles
    n = len(list(inp.iterdir()))
    reference = tmp_path / "reference"
    run(inp, reference, extractor, progress=False)

    out = tmp_path / "out"
    proc = cli(str(inp), "--out", str(out), "--workers", "2", "--shard-size", "1")
    deadline = time.monotonic() + 120
    try:
        while not finished_shards(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed:\n" + proc.stdout.read().decode()
        assert finished_shards(out), "no shard finished in time"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its worker processes
        proc.wait()
        proc.stdout.close()

    # Killed: no final table yet, and every Parquet file that exists is whole.
    assert not (out / "claims.parquet").exists() and not (out / "run.json").exists()
    for part in out.rglob("*.parquet"):
        if not any(p.startswith(".") for p in part.relative_to(out / ".parts").parts[1:]):
            pq.read_table(part)  # raises on a truncated file
    done = len(finished_shards(out))
    killed_key = next((out / ".parts").iterdir()).name

    resumed = subprocess.run([sys.executable, "-m", "extract", "run", str(inp), "--out", str(out),
                              "--workers", "2", "--shard-size", "1", "--resume", "--no-progress"],
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    counts = manifest(out)["counts"]
    if manifest(out)["run_key"] != killed_key:  # only in a working tree edited meanwhile
        pytest.skip("extractor version (code hash) changed between the killed run and --resume")
    assert counts["resumed"] >= done >= 1
    assert counts["resumed"] + counts["processed"] == counts["articles"] == n
    assert_same_tables(out, reference)
    assert not (out / ".parts").exists()

    # Nothing changed since: a re-run extracts nothing and keeps the tables.
    again = subprocess.run([sys.executable, "-m", "extract", "run", str(inp), "--out", str(out),
                            "--workers", "2", "--no-progress"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    counts = manifest(out)["counts"]
    assert (counts["processed"], counts["carried"]) == (0, n)
    assert_same_tables(out, reference)
