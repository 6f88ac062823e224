"""The run manifest, OUT/run.json: what produced the tables in OUT.

It is written last (after the four tables are in place) and removed just
before they are replaced, so its presence means "the tables in this folder
come from one complete run"; incremental runs only reuse rows from such an
output.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST = "run.json"
FORMAT = 1


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write_manifest(out_dir: Path, data: dict) -> Path:
    path = Path(out_dir) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"format": FORMAT, **data}, ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)
    return path


def remove_manifest(out_dir: Path) -> None:
    (Path(out_dir) / MANIFEST).unlink(missing_ok=True)
