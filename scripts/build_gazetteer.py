#!/usr/bin/env python3
"""Generate ``data/regions.tsv``, the administrative-division gazetteer.

Source: ``jionlp/dictionary/china_location.zip`` shipped in the PyPI package
*jionlp* (maintained, includes the 2016-2024 re-divisions that cpca's older
``adcodes.csv`` lacks, e.g. 梁平区, 莱芜区 merged into 济南). Only that data file
is read -- jionlp is never imported -- so a build-only
``pip install --no-deps jionlp`` is enough; the pipeline itself does not need it.

Usage::

    python scripts/build_gazetteer.py            # rewrite data/regions.tsv
    python scripts/build_gazetteer.py --check    # exit 1 if the file is stale

Rules (deterministic; re-running on the same inputs gives the same bytes):

* levels: depth 0 = province, 1 = city, 2 = county; townships are dropped.
* placeholder cities (省直辖行政区划, a municipality's or SAR's copy of itself)
  are skipped and their counties hang from the province.  Counties of the four
  municipalities get ``city`` = the municipality (北京市西城区 -> city 北京市),
  because analysts group by city and Beijing *is* the city; the municipality's
  own row has province = city = 北京市 for the same reason.
* 台湾省, 香港, 澳门: only the province-level row (GB/T 2260 defines no codes
  below them; jionlp repeats 810000 for every Hong Kong district).
* a county row repeating its parent's code (东莞市 > 市直辖行政区划) or an
  earlier code (jionlp lists 410471 twice) is skipped.
* 7x codes (经济技术开发区 etc., from the NBS statistical division codes) are
  kept: articles report education figures for development zones.
* the 兵团 (jionlp puts its 师市 cities under 新疆 659000, with a wrong code for
  新星市 and without 白杨市) and every code listed in ``data/regions_extra.tsv``
  come from that hand-kept file instead.
* aliases: jionlp's short form (辽宁, 鞍山, 内蒙古, 延边) plus "X州"/"X县" for
  自治州/自治县 (恩施州, 石柱县), as government texts use them.  An alias is
  dropped if shorter than 2 chars, a common word (``region_stopwords`` in
  ``rules/entities.yaml``), equal to any official name, or claimed by several
  regions -- unless one claimant outranks all others: higher level first, and
  at county level a 市/县/旗 over a 区 (海城 -> 鞍山 海城市, not 北海 海城区;
  吉林 -> 吉林省), because the bare stem names the former in usage.
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "regions.tsv"
EXTRA = ROOT / "data" / "regions_extra.tsv"
RULES = ROOT / "rules" / "entities.yaml"
COLUMNS = ["code", "name", "level", "parent", "path", "province", "city", "county", "aliases"]
LEVELS = ["country", "province", "city", "county"]
PLACEHOLDER = "省直辖行政区划"
BINGTUAN_SUBTREE = "659000"  # 自治区直辖县级行政区划 = the 兵团's 师市 cities
TAIWAN = "710000"


def source_text() -> str:
    """china_location.txt from the installed jionlp package (not imported)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("jionlp is not installed: pip install --no-deps jionlp")
    archive = Path(spec.submodule_search_locations[0]) / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(archive) as z:
        return z.read("china_location.txt").decode("utf-8")


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a gazetteer TSV; lines starting with '#' are comments."""
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def read_stopwords(path: Path = RULES) -> set[str]:
    return set(yaml.safe_load(path.read_text(encoding="utf-8")).get("region_stopwords") or [])


def parse_source(text: str, skip_codes: set[str]) -> list[dict[str, str]]:
    """Tree lines ``<tabs>name<TAB>code<TAB>alias`` -> rows with paths (aliases raw)."""
    rows: list[dict[str, str]] = []
    prov: dict[str, str] = {}
    city: dict[str, str] | None = None
    seen: set[str] = set()
    for line in text.splitlines():
        m = re.match(r"^(\t{0,2})([^\t]+)\t(\d{6})\t([^\t]*)$", line.rstrip("\r"))
        if not m:
            continue  # townships / villages carry no code
        depth, name, code, alias = len(m[1]), m[2], m[3], m[4]
        if depth == 0:
            prov = {"code": code, "name": name, "municipality": ""}
            city = None
            if code not in skip_codes:
                rows.append(_row(code, name, "province", "", name, name, "", "", alias))
            continue
        if prov["code"] == TAIWAN or code in skip_codes or city and city.get("skip"):
            if depth == 1:
                city = {"skip": "1"}
            continue
        if depth == 1:
            if code == BINGTUAN_SUBTREE:
                city = {"skip": "1"}
            elif name == PLACEHOLDER or code == prov["code"]:
                if name == prov["name"]:  # 北京市 > 北京市: a municipality
                    prov["municipality"] = name
                    rows[-1]["city"] = name
                city = None
            else:
                city = {"code": code, "name": name}
                rows.append(_row(code, name, "city", prov["code"], prov["name"] + name,
                                 prov["name"], name, "", alias))
            continue
        parent = city or {"code": prov["code"], "name": ""}
        if code in (parent["code"], prov["code"]) or code in seen:
            continue  # 市直辖行政区划 / HK districts repeat their parent's code; 410471 twice
        seen.add(code)
        rows.append(_row(code, name, "county", parent["code"], prov["name"] + parent["name"] + name,
                         prov["name"], parent["name"] or prov["municipality"], name, alias))
    return rows


def _row(code, name, level, parent, path, province, city, county, alias) -> dict[str, str]:
    return dict(code=code, name=name, level=level, parent=parent, path=path,
                province=province, city=city, county=county, aliases=alias)


def candidate_aliases(row: dict[str, str]) -> list[str]:
    stem = row["aliases"]
    out = [stem]
    if row["name"].endswith("自治州"):
        out.append(stem + "州")
    elif row["name"].endswith("自治县"):
        out.append(stem + "县")
    return [a for a in out if a and a != row["name"]]


def _rank(row: dict[str, str]) -> tuple[int, int]:
    """Lower wins an alias contested by several regions."""
    return LEVELS.index(row["level"]), int(row["level"] == "county" and row["name"].endswith("区"))


def build(text: str, extra: list[dict[str, str]], stopwords: set[str]) -> list[dict[str, str]]:
    rows = parse_source(text, {r["code"] for r in extra if r["code"]})
    names = {r["name"] for r in rows} | {r["name"] for r in extra}
    taken = {a for r in extra for a in r["aliases"].split("|") if a}  # hand-kept aliases win
    claims: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        for a in candidate_aliases(r):
            claims[a].append(r)
    for r in rows:
        r["aliases"] = ""
    for alias in sorted(claims):
        rs = sorted(claims[alias], key=_rank)
        if (len(alias) < 2 or alias in stopwords or alias in names or alias in taken
                or len(rs) > 1 and _rank(rs[0]) == _rank(rs[1])):
            continue
        rs[0]["aliases"] = "|".join(filter(None, [rs[0]["aliases"], alias]))
    return sorted(rows, key=lambda r: r["code"])


def render(rows: list[dict[str, str]]) -> str:
    lines = ["\t".join(COLUMNS)] + ["\t".join(r[c] for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


def generate() -> str:
    return render(build(source_text(), read_tsv(EXTRA), read_stopwords()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only verify data/regions.tsv is current")
    args = ap.parse_args(argv)
    text = generate()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        print("up to date" if current == text else f"{OUT} is stale; re-run without --check")
        return int(current != text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} regions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
