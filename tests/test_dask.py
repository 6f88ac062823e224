"""The dask engine runs the same shard function on a local cluster and gives the same tables."""
from __future__ import annotations

import json

import pytest

from extract.runs.run import run
from runhelpers import assert_same_tables, make_input, manifest

pytest.importorskip("dask.distributed")


def test_dask_engine_equals_local_run(tmp_path, extractor, monkeypatch):
    import dask.distributed
    clusters = []
    real = dask.distributed.LocalCluster

    def spy(*args, **kwargs):
        clusters.append(real(*args, **kwargs))
        c = clusters[-1]   # where it really listens (dashboard_link names 127.0.0.1 even on 0.0.0.0)
        clusters.append((c.scheduler_address, [s.getsockname()[0] for s in c.scheduler.http_server._sockets.values()]))
        return clusters[-2]
    monkeypatch.setattr(dask.distributed, "LocalCluster", spy)
    inp = make_input(tmp_path / "in", n_seeds=3)
    (inp / "skip.docx").write_text("x\n", encoding="utf-8")
    # table rows travel to dask workers as shard inputs, like files
    texts = [p.read_text(encoding="utf-8") for p in sorted(inp.glob("*.txt"))[:2]]
    (inp / "rows.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "content": t}, ensure_ascii=False) + "\n"
                                            for i, t in enumerate(texts)), encoding="utf-8")
    local = tmp_path / "local"
    run(inp, local, extractor, progress=False)
    out = tmp_path / "dask"
    summary = run(inp, out, progress=False, engine="dask", workers=2, shard_size=1)
    assert (summary.processed, summary.articles, summary.skipped) == (5, 5, 1)
    assert manifest(out)["engine"] == "dask"
    assert_same_tables(out, local)
    # the scheduler and its dashboard listen on the loopback interface only
    scheduler, dashboard = clusters[1]
    assert scheduler.startswith("tcp://127.0.0.1:") and dashboard == ["127.0.0.1"], clusters[1]
