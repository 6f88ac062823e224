"""What a run's own process loads: no spaCy (the batch matches entities without
it) and no pandas (pyarrow would import it only to look for pandas objects)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import SEEDS_DIR

PROBE = r"""
import json, sys
from extract.cli import main
try:
    main(["run", sys.argv[1], "--out", sys.argv[2], "-j", "1", "--no-progress"], standalone_mode=False)
finally:
    print(json.dumps({m: m in sys.modules for m in ("spacy", "pandas")}))
"""


def test_a_run_loads_neither_spacy_nor_pandas(tmp_path):
    done = subprocess.run([sys.executable, "-c", PROBE, str(SEEDS_DIR), str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"spacy": False, "pandas": False}
    assert (tmp_path / "out" / "claims.parquet").exists()


def test_pandas_still_loads_when_asked_for(tmp_path):
    code = ("import pyarrow as pa\n"
            "from extract.runs.writer import arrow_without_pandas\n"
            "arrow_without_pandas()\n"
            "t = pa.table({'a': [1, 2]})\n"
            "print(t.to_pandas()['a'].sum())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "3"
