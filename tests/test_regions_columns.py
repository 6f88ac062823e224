"""Region columns of the claims table on the seeds: province/city/county and
region_code agree with the gazetteer files, and claim_group identifies a figure."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER_FILES = [ROOT / "data" / "regions.tsv", ROOT / "data" / "regions_extra.tsv"]


@pytest.fixture(scope="module")
def claims(request, tmp_path_factory) -> list[dict]:
    try:
        out = request.getfixturevalue("seeds_out")
    except pytest.FixtureLookupError:
        from extract.pipeline import Extractor
        from extract.runs.run import run
        out = tmp_path_factory.mktemp("regions_out")
        run(ROOT / "seeds", out, Extractor(), progress=False)
    rows = pq.read_table(out / "claims.parquet").to_pylist()
    assert rows, "no claims on the seeds"
    return rows


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, dict]:
    """path -> row of the TSV files, read directly (independently of extract.stages.gazetteer)."""
    rows: dict[str, dict] = {}
    for path in GAZETTEER_FILES:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        for row in csv.DictReader(lines, delimiter="\t"):
            rows.setdefault(row["path"], row)
    return rows


@pytest.mark.parametrize("region,province,city,code", [
    ("辽宁省", "辽宁省", None, "210000"),
    ("河南省安阳市", "河南省", "安阳市", "410500"),
    ("辽宁省鞍山市", "辽宁省", "鞍山市", "210300"),
])
def test_known_regions(claims, region, province, city, code):
    rows = [c for c in claims if c["region"] == region]
    assert rows, f"no claim with region {region} on the seeds"
    for c in rows:
        assert (c["province"], c["city"], c["county"], c["region_code"]) == (province, city, None, code), \
            (c["article"], c["start"], c["text"])


def test_region_code_is_the_gazetteer_code(claims, gazetteer):
    with_region = [c for c in claims if c["region"] is not None]
    assert with_region
    for c in with_region:
        assert c["region"] in gazetteer, f"region {c['region']} is not in {[p.name for p in GAZETTEER_FILES]}"
        row = gazetteer[c["region"]]
        assert c["region_code"] == (row["code"] or None), (c["region"], c["region_code"], row["code"])
        assert (c["province"], c["city"], c["county"]) == \
            (row["province"] or None, row["city"] or None, row["county"] or None), c["region"]


def test_no_region_no_region_columns(claims):
    for c in claims:
        if c["region"] is None:
            assert (c["province"], c["city"], c["county"], c["region_code"]) == (None, None, None, None)


def test_claim_group_identifies_region_category_unit_value_year(claims):
    by_key: dict[tuple, set[str]] = defaultdict(set)
    for c in claims:
        by_key[(c["region"], c["category"], c["unit"], c["value"], c["year"])].add(c["claim_group"])
    for key, groups in by_key.items():
        assert len(groups) == 1, f"claims of the same figure {key} have different groups {groups}"
    owners: dict[str, tuple] = {}
    for key, groups in by_key.items():
        group = next(iter(groups))
        assert group not in owners, f"different figures {owners.get(group)} and {key} share group {group}"
        owners[group] = key
    # the seeds do repeat figures, so the grouping is exercised
    assert len(by_key) < len(claims)
