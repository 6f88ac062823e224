"""Runs that meet a busy, broken or hostile environment: a second run into the
same folder, a killed main process, links out of the input, unreadable folders,
unwritable or full output, tables replaced by hand."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import ROOT
from extract.cli import main
from extract.runs.outlock import LOCK_FILE, OutFolderBusy, OutLock
from extract.runs.run import run


def _articles(folder: Path, n: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i}.txt").write_text(f"测试文章{i}\n2021-05-06 10:00:00 来源:测试\n\n全市共有学校{12 + i}所。\n",
                                          encoding="utf-8")
    return folder


def _wait_for(predicate, what: str, limit_s: float = 60.0) -> None:
    """Poll until predicate() holds (a wait, not a timing assertion: the limit only stops a hang)."""
    end = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- one run per out folder

HOLDER = textwrap.dedent("""
    import sys, time
    from extract.runs.outlock import OutLock
    lock = OutLock(sys.argv[1]); lock.acquire()
    print("locked", flush=True)
    time.sleep(600)
""")


def test_second_run_refuses_naming_the_holder_and_a_dead_holder_is_taken_over(tmp_path, extractor):
    inp, out = _articles(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutFolderBusy) as info:
            run(inp, out, extractor, progress=False)
        assert f"pid {holder.pid}" in str(info.value) and str(out) in str(info.value)
        assert not (out / "claims.parquet").exists()
        # the same through the command line: a message, not a traceback
        res = CliRunner().invoke(main, ["run", str(inp), "--out", str(out), "-j", "2", "--no-progress"])
        assert res.exit_code == 1 and f"pid {holder.pid}" in res.output and "Traceback" not in res.output
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # killed: its lock file (with its pid) stays behind, stale; the next run takes it over
    assert json.loads((out / LOCK_FILE).read_text())["pid"] == holder.pid
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 2 and (out / "claims.parquet").exists()
    assert not (out / LOCK_FILE).exists()


def test_lock_is_exclusive_within_a_process(tmp_path):
    with OutLock(tmp_path):
        with pytest.raises(OutFolderBusy, match=f"pid {os.getpid()}"):
            OutLock(tmp_path).acquire()
    with OutLock(tmp_path):   # released: free again
        pass


# --------------------------------------------------------------------------- no orphans

CHILD = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from extract.runs.lifeline import watch_parent

    def worker():
        watch_parent(poll_s=0.1)
        time.sleep(600)

    if __name__ == "__main__":
        p = multiprocessing.get_context("spawn").Process(target=worker)
        p.start()
        print(p.pid, flush=True)
        time.sleep(600)
""")


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")   # a zombie has exited; its new parent may not reap it


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(CHILD, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    child = int(parent.stdout.readline())
    assert not _gone(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    _wait_for(lambda: _gone(child), f"worker {child} to exit after its parent was killed")


def test_pool_workers_watch_their_parent(monkeypatch):
    """run_pool's initializer is what installs the guard in each worker."""
    from extract.runs import parallel
    called = []
    monkeypatch.setattr(parallel, "watch_parent", lambda: called.append(True))
    monkeypatch.setattr("extract.pipeline.Extractor", lambda rules=None: object())
    monkeypatch.setattr(parallel, "_EXTRACTOR", None)   # restored after the test
    parallel.init_worker(None)
    assert called == [True]


# --------------------------------------------------------------------------- folders and links

def test_links_out_of_the_input_are_skipped_unless_followed(tmp_path, extractor):
    inp = _articles(tmp_path / "in")
    outside = tmp_path / "elsewhere"
    _articles(outside / "sub", 1)
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", inp / "passwd.txt")
    os.symlink(outside / "sub", inp / "linked_dir")
    os.symlink(inp / "a0.txt", inp / "inside_link.txt")          # stays inside: read as usual
    os.symlink(tmp_path / "missing.txt", inp / "dangling.txt")
    run(inp, tmp_path / "out", extractor, progress=False)
    errors = {e["path"]: e for e in pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()}
    assert sorted(errors) == ["dangling.txt", "linked_dir", "passwd.txt"]
    for name in ("linked_dir", "passwd.txt"):
        assert (errors[name]["stage"], errors[name]["severity"]) == ("skip", "warning")
        assert "outside the input folder" in errors[name]["reason"] and "--follow-symlinks" in errors[name]["reason"]
    articles = {a["path"] for a in pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()}
    assert articles == {"a0.txt", "a1.txt", "inside_link.txt"}

    run(inp, tmp_path / "out2", extractor, progress=False, follow_symlinks=True)
    articles = {a["path"] for a in pq.read_table(tmp_path / "out2" / "articles.parquet").to_pylist()}
    assert articles == {"a0.txt", "a1.txt", "inside_link.txt", "passwd.txt", "linked_dir/a0.txt"}


def test_unreadable_folder_is_an_errors_row(tmp_path, extractor, monkeypatch):
    inp = _articles(tmp_path / "in")
    _articles(inp / "locked", 1)
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path) == inp / "locked":   # as chmod 000 for non-root
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    summary = run(inp, tmp_path / "out", extractor, progress=False)
    (error,) = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert (error["path"], error["stage"], error["severity"]) == ("locked", "load", "error")
    assert "cannot read folder" in error["reason"] and "Permission denied" in error["reason"]
    assert summary.errors == 1 and summary.articles == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_for_real(tmp_path, extractor):
    inp = _articles(tmp_path / "in")
    _articles(inp / "locked", 1)
    (inp / "locked").chmod(0)
    try:
        run(inp, tmp_path / "out", extractor, progress=False)
    finally:
        (inp / "locked").chmod(0o755)
    assert [e["path"] for e in pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()] == ["locked"]


# --------------------------------------------------------------------------- messages, not tracebacks

def test_exit_status_and_too_many_workers_warning(tmp_path):
    inp = _articles(tmp_path / "in")
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(tmp_path / "out"), "-j", "99",
                                    "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "warning: -j 99 is more than this machine's" in res.output
    (inp / "empty.txt").write_bytes(b"")
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(tmp_path / "out"), "-j", "1",
                                    "--no-progress"])
    assert res.exit_code == 3, res.output


def test_unwritable_out_is_a_message(tmp_path):
    inp = _articles(tmp_path / "in")
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(tmp_path / "file" / "out"), "-j", "2"])
    assert res.exit_code == 1 and "Error:" in res.output and str(tmp_path / "file") in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_full_disk_is_a_message_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    inp = _articles(tmp_path / "in")
    out = tmp_path / "out"
    from extract.runs import writer
    real = writer.TableWriter.close

    def close(self):   # the disk fills up while the final tables are written
        if self.final.parent == out:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.tmp))
        return real(self)
    monkeypatch.setattr(writer.TableWriter, "close", close)
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(out), "-j", "1", "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "no space left" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in out.iterdir()) == []   # no .tmp tables, no .parts, no lock


def test_table_replaced_by_hand_is_not_reused(tmp_path, extractor):
    inp, out = _articles(tmp_path / "in"), tmp_path / "out"
    run(inp, out, extractor, progress=False)
    pq.write_table(pa.table({"who": ["me"]}), out / "claims.parquet")   # someone's own table
    summary = run(inp, out, extractor, progress=False)
    assert (summary.processed, summary.carried) == (2, 0)
    assert pq.read_table(out / "claims.parquet").num_rows == 2
    (out / "errors.parquet").write_bytes(b"not parquet at all")
    summary = run(inp, out, extractor, progress=False)
    assert (summary.processed, summary.carried) == (2, 0)
