"""Memory of `extract run` on one large Parquet table: flat as rows grow?

Generates a Parquet file of N rows (id, url, publish_time, content), each
row a short article of two paragraphs taken from seeds/*.txt with numbers
and regions varied (run_bench.vary), then runs
`python -m extract run DIR --out OUT --full -j W` in a subprocess and samples
the peak RSS of its whole process tree (run_bench.run_extract).  Short rows
keep the run affordable at 100,000 rows; what grows with N is the number of
rows (keys, hashes, shards, plan), which is what the memory target is about.

Results go into bench/results.json under "tables" and into bench/results.md.

    python bench/table_bench.py --sizes 10000,100000 [--workers 1]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run_bench import SEEDS, _commit, run_extract, vary, write_markdown  # noqa: E402


def paragraphs() -> list[str]:
    """Body paragraphs of the seeds that hold a number (the kind of text claims come from)."""
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if 40 <= len(line) <= 400 and any(c.isdigit() for c in line):
                out.append(line)
    return out


def make_table(path: Path, n: int, seed: int = 0, chunk: int = 10_000) -> int:
    """N rows written in row groups of `chunk`; returns the number of text characters."""
    paras = paragraphs()
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    chars = 0
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("publish_time", pa.string()),
                        ("content", pa.string())])
    with pq.ParquetWriter(path, schema) as w:
        for start in range(0, n, chunk):
            ids, urls, dates, texts = [], [], [], []
            for i in range(start, min(n, start + chunk)):
                text = vary("\n\n".join(rng.sample(paras, 2)), rng)
                chars += len(text)
                ids.append(f"r{i:07d}")
                urls.append(f"https://example.org/news/{i}.html")
                dates.append(f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00")
                texts.append(text)
            w.write_table(pa.table([ids, urls, dates, texts], schema=schema))
    return chars


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/extract-table-bench"))
    ap.add_argument("--results", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    results = json.loads(args.results.read_text()) if args.results.exists() else {"runs": {}}
    results.setdefault("machine", {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                   "loadavg_at_start": os.getloadavg()})
    tables = results.setdefault("tables", {})
    for n in (int(s) for s in args.sizes.split(",") if s):
        corpus = args.workdir / f"table_{n}"
        if corpus.exists():
            for f in corpus.iterdir():
                f.unlink()
        chars = make_table(corpus / "export.parquet", n)
        r = run_extract(corpus, args.workdir / f"out_table_{n}", args.workers)
        entry = {"rows": n, "chars": chars, "workers": args.workers, "commit": _commit(),
                 "loadavg": os.getloadavg(), **r, "rows_per_s": n / r["wall_s"]}
        tables[str(n)] = entry
        print(f"table N={n} rows ({chars:,} chars), {args.workers} worker(s): {entry['rows_per_s']:.0f} rows/s "
              f"({r['wall_s']:.1f} s; load {r['timings']['load']:.1f} s, extract {r['timings']['extract']:.1f} s, "
              f"write {r['timings']['write']:.1f} s); peak RSS tree {r['peak_tree_rss_mb'] or float('nan'):.0f} MB, "
              f"largest process {r['max_single_rss_mb']:.0f} MB; {r['claims']} claims, {r['errors']} errors",
              flush=True)
        args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    sizes = sorted(tables, key=int)
    if len(sizes) >= 2:
        lo, hi = tables[sizes[0]], tables[sizes[-1]]
        print(f"peak RSS tree {sizes[-1]} rows / {sizes[0]} rows: "
              f"{hi['peak_tree_rss_mb'] / lo['peak_tree_rss_mb']:.2f}x (target <= 1.3x)")
    write_markdown(results, args.results.with_suffix(".md"))


if __name__ == "__main__":
    main()
