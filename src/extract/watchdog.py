"""A processing-time budget per article, so one pathological article cannot
stall a worker: over budget, the article becomes an errors row naming the
stage that was running, and the worker goes on with the next one.

Two ways to stop an article, because CPU-bound Python and regex work has no
natural cancellation point:

* in the main thread of a process (in-process runs, pool workers), a SIGALRM
  timer (`signal.setitimer`) raises BudgetExceeded at the next bytecode,
  wherever the article is -- inside jieba, attribution, a rule loop;
* elsewhere (dask runs its tasks in worker threads, where signals cannot be
  used), the pipeline calls `stage()` at every stage boundary and `check()`
  in its inner loops; these raise once the deadline has passed.  A single C
  call (one regex scan, bounded by its own timeout) still runs to its end.

The pipeline reports which stage it is in with `stage(name)` in both cases.
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

DEFAULT_BUDGET_S = 120.0


class BudgetExceeded(BaseException):
    """BaseException, like KeyboardInterrupt: a library's `except Exception`
    must not swallow it halfway through an article."""

    def __init__(self, stage: str, seconds: float):
        super().__init__(f"over the time budget of {seconds:g} s per article in stage {stage!r} "
                         f"(the article is skipped; raise the limit with --budget)")
        self.stage, self.seconds = stage, seconds


@dataclass
class _Budget:
    seconds: float
    deadline: float
    stage: str = "load"


_local = threading.local()


def _current() -> _Budget | None:
    return getattr(_local, "budget", None)


def stage(name: str) -> None:
    """The article enters stage `name`; raises BudgetExceeded if its time is up."""
    b = _current()
    if b is not None:
        b.stage = name
        if time.monotonic() > b.deadline:
            raise BudgetExceeded(name, b.seconds)


def check() -> None:
    """Raise BudgetExceeded if the article's time is up (cheap: call it in loops)."""
    b = _current()
    if b is not None and time.monotonic() > b.deadline:
        raise BudgetExceeded(b.stage, b.seconds)


def current_stage() -> str | None:
    b = _current()
    return b.stage if b is not None else None


def _on_alarm(signum, frame) -> None:
    b = _current()
    if b is not None:   # a late alarm after the article finished finds no budget and does nothing
        raise BudgetExceeded(b.stage, b.seconds)


def _can_use_signal() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    _local.budget = _Budget(seconds, time.monotonic() + seconds)
    use_signal = _can_use_signal()
    previous = None
    if use_signal:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _local.budget = None    # first, so an alarm arriving now is a no-op
        if use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
