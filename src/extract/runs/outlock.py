"""One run per output folder: OUT/.lock, holding the pid of the run.

Two runs into one folder would delete each other's shard parts, or both
finish and the last silently win.  The lock is an exclusive `flock` on
OUT/.lock, which the kernel drops when its process dies however it dies, so
a lock left by a killed run is simply taken over; the file also records the
holder's pid, host and start time for the message a second run prints.
A `.lock` that holds anything else is not ours (another tool's, or the
user's): the run refuses to start rather than overwrite and remove it.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

LOCK_FILE = ".lock"


class OutFolderBusy(Exception):
    def __init__(self, out_dir: Path, holder: dict):
        pid = holder.get("pid", "?")
        where = f" on {holder['host']}" if holder.get("host") not in (None, socket.gethostname()) else ""
        since = f", started {holder['started']}" if holder.get("started") else ""
        super().__init__(f"{out_dir} is in use by another extract run (pid {pid}{where}{since}); "
                         f"wait for it to finish or use another --out")
        self.holder = holder


class ForeignLock(OutFolderBusy):
    """OUT/.lock exists and is no extract lock: left alone, the run refuses."""

    def __init__(self, path: Path, content: bytes):
        Exception.__init__(self, f"{path} exists and is not a lock of extract ({content[:40]!r}…): it is "
                                 f"left as it is; move it away or use another --out")
        self.holder = {}


class OutLock:
    """Context manager: `with OutLock(out_dir): ...` (raises OutFolderBusy)."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutFolderBusy(self.path.parent, holder) from None
            if _same_file(fd, self.path):
                content = os.pread(fd, 4096, 0)
                if content and not _is_holder(content):
                    os.close(fd)   # closing drops our flock; the file is untouched
                    raise ForeignLock(self.path, content)
                break
            os.close(fd)   # the holder removed the file as we opened it: lock the new one
        # ours: what a killed run left in the file is overwritten
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)   # while still holding it (see _same_file)
        finally:
            os.close(self._fd)   # closing drops the flock
            self._fd = None

    def __enter__(self) -> "OutLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> dict:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode("utf-8")) if data else {}
        return holder if isinstance(holder, dict) else {}
    except (OSError, ValueError):
        return {}


def _is_holder(content: bytes) -> bool:
    """Whether a lock file's content is a holder record this module wrote."""
    try:
        holder = json.loads(content.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(holder, dict) and set(holder) == {"pid", "host", "started"}


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)
