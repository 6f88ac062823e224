"""The dask.distributed engine: the same per-shard function as the local pool.

Each task is `parallel.process_shard(task, rules)`; the worker process builds
its Extractor on first use from the RuleSet (plain data, scattered once) and
keeps it for later tasks.  Workers write their shard parts straight into
OUT/.parts/..., so with a remote `--scheduler` OUT must be on a filesystem the
workers share with the client.
"""
from __future__ import annotations

import logging
from typing import Callable

from extract.runs.parallel import process_shard
from extract.stages.rules import RuleSet

log = logging.getLogger("extract")

LOCALHOST = "127.0.0.1"


def run_dask(tasks: list[dict], rules: RuleSet, workers: int, scheduler: str | None,
             on_done: Callable[[dict], None]) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # processes: the pipeline is CPU-bound Python; one thread per worker process.
        # Scheduler and dashboard on the loopback interface only: a local run is nobody else's business.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host=LOCALHOST, dashboard_address=f"{LOCALHOST}:0")
        client = Client(cluster)
    try:
        log.info("dask: %s", client)
        rules_f = client.scatter(rules, broadcast=True)
        futures = [client.submit(process_shard, t, rules_f, key=f"extract-{t['shard']}-{t['shard_dir'][-40:]}",
                                 pure=False, retries=1) for t in tasks]
        for fut in as_completed(futures):
            on_done(fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
