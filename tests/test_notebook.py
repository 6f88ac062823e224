"""notebooks/explore.ipynb runs top to bottom on the seeds' output (nbclient, python3 kernel)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def out(seeds_out) -> Path:
    """The session-wide run over seeds/ (tests/conftest.py)."""
    return seeds_out


@pytest.fixture(scope="module")
def executed(out) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("EXTRACT_OUT")
    os.environ["EXTRACT_OUT"] = str(out)  # the kernel inherits this environment
    try:
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("EXTRACT_OUT", None)
        else:
            os.environ["EXTRACT_OUT"] = old
    return nb


def outputs(nb, kind: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and kind == "stream":
                found.append(o.text)
            elif "data" in o and kind in o["data"]:
                found.append(o["data"][kind])
    return found


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_runs_in_this_venv_on_the_given_output(executed, out):
    text = "".join(outputs(executed, "stream"))
    assert f"python: {sys.executable}" in text or f"python: {Path(sys.executable).resolve()}" in text, text
    assert f"output folder: {out.resolve()}" in text
    assert "Traceback" not in text and "findfont" not in text


def test_per_region_table_and_plot(executed):
    html = "\n".join(outputs(executed, "text/html"))
    for column in ("group_figures", "groups", "coverage_pct", "region_code"):
        assert column in html
    for region in ("辽宁省鞍山市", "河南省安阳市", "辽宁省"):
        assert region in html
    pngs = outputs(executed, "image/png")
    assert len(pngs) == 1 and len(pngs[0]) > 5_000
