"""Pool workers exit when the process that started them dies.

A worker of a ProcessPoolExecutor waits on a pipe for its next shard; when
the main process is killed with SIGKILL nobody closes that pipe cleanly and
the worker (~200 MB with jieba and the gazetteer loaded) would wait forever.  Two
guards, either suffices:

* on Linux, prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills the worker
  when its parent dies;
* everywhere, a daemon thread that polls os.getppid(): once the parent is
  gone the worker is re-parented (to init or a subreaper) and exits.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

POLL_S = 1.0
_PR_SET_PDEATHSIG = 1


def watch_parent(poll_s: float = POLL_S) -> None:
    """Call in the child, first thing: exit when the parent process dies."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass   # the polling thread still covers it
    if os.getppid() != parent or parent == 1:   # died before the guard was in place
        os._exit(1)
    threading.Thread(target=_poll, args=(parent, poll_s), name="extract-lifeline", daemon=True).start()


def _poll(parent: int, poll_s: float) -> None:
    while True:
        time.sleep(poll_s)
        if os.getppid() != parent:
            os._exit(1)   # no cleanup to do: the shard being written is in a temp folder
