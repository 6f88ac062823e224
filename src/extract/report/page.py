"""`extract report OUT_DIR`: one self-contained HTML file for reading the claims.

Each article's text with every claim highlighted (colour by category; hover
for a summary, click for all fields and to underline the words behind its region,
year, category, kind and target), filters by category, region, year and
rule, and summary charts (claims per category and per region, a timeline of
values by year for a chosen metric).  No external resources: CSS, JS and the
data are inline; the charts are SVG drawn by the page's own script.

Article text is untrusted.  The data is embedded as JSON inside
<script type="application/json"> with <, >, & and the JS line separators
escaped, the page script only ever writes data through textContent/.title,
and a Content-Security-Policy allows just the page's own two scripts (by
hash), so markup in an article is shown as text and can never run.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
from pathlib import Path

import click

from extract.runs.manifest import read_manifest
from extract.report.assets import APP_JS, CSS, ERRORS_JS

log = logging.getLogger("extract")

PALETTE = {
    "education_groups": "#f6c85f", "school_districts": "#9dd866", "member_schools": "#ffa056",
    "schools": "#6fb1e8", "students": "#f28e9b", "teachers": "#b39ddb", "coverage": "#4dd0c4",
    "school_places": "#c5e17a", "funding": "#ffd54f", "facilities": "#a1887f", "quality": "#81c784",
    "activities": "#90caf9", "regions": "#ce93d8", "other": "#cfd8dc",
}
CLAIM_FIELDS = ("article", "start", "end", "text", "value", "value_max", "unit", "qualifier", "kind", "target",
                "category", "subject", "region", "province", "city", "county", "region_code", "entity", "year",
                "baseline_year", "claim_group", "sentence", "rule_id", "region_source", "year_source",
                "category_cue", "kind_cue", "target_cue")
# The words behind a claim's fields (claims' region_start … target_cue_end), highlighted on a click
WORDS = (("region", "region_start", "region_end"), ("year", "year_start", "year_end"),
         ("category", "category_cue_start", "category_cue_end"), ("kind", "kind_cue_start", "kind_cue_end"),
         ("target", "target_cue_start", "target_cue_end"))


class ReportError(Exception):
    pass


def input_dir_from_manifest(out_dir: Path) -> Path | None:
    """The input folder recorded in OUT_DIR/run.json, if any and if it exists."""
    value = (read_manifest(out_dir) or {}).get("input")
    if isinstance(value, str) and value:
        path = Path(value)
        for cand in ([path] if path.is_absolute() else [Path(out_dir) / path, path]):
            if cand.is_dir():
                return cand
    return None


def _utf16_offsets(text: str):
    """Python (code point) offset -> JS (UTF-16) offset."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda i: i
    prefix = [0]
    for c in text:
        prefix.append(prefix[-1] + (2 if ord(c) >= 0x10000 else 1))
    return lambda i: prefix[i]


def _read_text(articles_dir: Path | None, row: dict) -> tuple[str | None, list[str]]:
    if row.get("text") is not None:  # html pages and table rows: the text the offsets refer to
        return row["text"], []
    if articles_dir is None:
        return None, ["Article text not available (no input folder given): claims are listed with their sentences."]
    from extract.inputs.load import LoadError, read_article
    path = _input_file(articles_dir, row)
    if path is None:
        return None, [f"Not an article file of the run inside {articles_dir}: its text is not read; "
                      "claims are listed with their sentences."]
    if not path.is_file():
        return None, [f"Article file not found under {articles_dir}: claims are listed with their sentences."]
    try:
        raw = read_article(path, row["path"])
    except LoadError as exc:
        return None, [f"Article could not be read ({exc.reason}): claims are listed with their sentences."]
    except OSError as exc:
        return None, [f"Article could not be read ({exc}): claims are listed with their sentences."]
    notes = []
    if row.get("sha256") and raw.sha256 != row["sha256"]:
        notes.append("The file has changed since the run: only claims whose text still matches are highlighted.")
    return raw.text, notes


def _input_file(articles_dir: Path, row: dict) -> Path | None:
    """The file of a .txt/.md article row, only when it lies inside the input folder.

    articles.parquet is data anyone who can write OUT may have replaced: a
    `path` of /etc/shadow or ../../etc/hostname must not put that file into
    a report that gets shared.  So: a relative path naming a text article,
    resolving (links followed) to a regular file under the input root."""
    from extract.inputs import FILE_FORMATS

    rel = row.get("path")
    if not isinstance(rel, str) or not rel or row.get("file") is not None \
            or row.get("input_format", "txt") not in ("txt", "md") \
            or FILE_FORMATS.get(Path(rel).suffix.lower()) not in ("txt", "md"):
        return None
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        return None
    root = articles_dir.resolve()
    real = (articles_dir / rel).resolve()
    return real if root in real.parents else None


def _read_table(out_dir: Path, name: str) -> list[dict]:
    path = Path(out_dir) / f"{name}.parquet"
    if not path.is_file():
        raise ReportError(f"{path} not found: is {out_dir} the output folder of `extract run`?")
    import pyarrow.parquet as pq   # loads with the report, not with every command
    return pq.read_table(path).to_pylist()


def _region_options(claims: list[dict]) -> list[dict]:
    """Hierarchical region filter options: every claim region and its ancestors."""
    counts: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}
    for c in claims:
        if not c["region"]:
            continue
        parts = [p for p in (c.get("province"), c.get("city"), c.get("county")) if p]
        chain, prefix = [], ""
        for depth, part in enumerate(parts):
            if c["region"].startswith(prefix + part):
                prefix += part
                chain.append((prefix, part, depth))
        if not chain or chain[-1][0] != c["region"]:
            chain.append((c["region"], c["region"][len(prefix):] or c["region"], len(chain)))
        for path, name, depth in chain:
            counts[path] = counts.get(path, 0) + 1
            names[path] = (name, depth)
    return [{"path": p, "name": names[p][0], "depth": names[p][1], "n": counts[p]} for p in sorted(counts)]


def build_data(out_dir: Path, articles_dir: Path | None) -> dict:
    claims = _read_table(out_dir, "claims")
    articles = sorted(_read_table(out_dir, "articles"), key=lambda r: r["path"])
    known = {a["path"] for a in articles}
    for path in sorted({c["article"] for c in claims} - known):  # claims of an article without a row
        articles.append({"path": path, "title": None, "published": None, "source": None, "status": "ok",
                         "sha256": None})
    by_article: dict[str, list[dict]] = {}
    for c in claims:
        by_article.setdefault(c["article"], []).append(c)

    out_articles, out_claims = [], []
    for a in articles:
        text, notes = _read_text(articles_dir, a)
        to16 = _utf16_offsets(text) if text is not None else None
        unplaced = 0
        for c in sorted(by_article.get(a["path"], []), key=lambda c: (c["start"], c["end"])):
            row = {k: c.get(k) for k in CLAIM_FIELDS}
            if text is not None and 0 <= c["start"] < c["end"] <= len(text) and text[c["start"]:c["end"]] == c["text"]:
                row["js_start"], row["js_end"] = to16(c["start"]), to16(c["end"])
                row["words"] = [{"field": f, "text": text[c[s]:c[e]], "js_start": to16(c[s]), "js_end": to16(c[e])}
                                for f, s, e in WORDS
                                if c.get(s) is not None and 0 <= c[s] < c[e] <= len(text)]
            else:
                row["js_start"] = row["js_end"] = None
                unplaced += text is not None
            out_claims.append(row)
        if unplaced and not notes:
            notes.append(f"{unplaced} claim(s) do not match the text at their offsets.")
        out_articles.append({"path": a["path"], "title": a.get("title") or a.get("title_given"),
                             "published": a.get("published_given") or a.get("published"),
                             "source": a.get("source") or a.get("site_given") or a.get("url"),
                             "status": a.get("status"), "text": text, "notes": notes})

    present = {c["category"] for c in claims}
    categories = [c for c in PALETTE if c in present] + sorted(present - set(PALETTE))
    return {"articles": out_articles, "claims": out_claims, "categories": categories,
            "palette": PALETTE, "region_options": _region_options(claims)}


def json_for_script(data) -> str:
    """JSON safe inside <script type="application/json">: no <, >, & or line separators left."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_html(data: dict, title: str = "extract report") -> str:
    csp = (f"default-src 'none'; script-src {_sha(ERRORS_JS)} {_sha(APP_JS)}; style-src {_sha(CSS)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    n_claims, n_articles = len(data["claims"]), len(data["articles"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<script>{ERRORS_JS}</script>
<style>{CSS}</style>
</head>
<body>
<header class="top"><h1>{html.escape(title)}</h1>
<span class="stats">{n_claims} claims in {n_articles} articles</span></header>
<div id="errors"></div>
<div id="layout">
<aside id="filters" class="panel">
<h2>Category</h2>
<div class="buttons"><button type="button" id="cat-all">all</button><button type="button" id="cat-none">none</button></div>
<div id="cat-list"></div>
<h2>Region</h2><select id="f-region"></select>
<h2>Year</h2><select id="f-year"></select>
<h2>Rule</h2><select id="f-rule"></select>
<h2>Articles</h2>
<label><input type="checkbox" id="f-only"> only articles with shown claims</label>
<div class="buttons"><button type="button" id="f-reset">reset filters</button></div>
<div id="summary"></div>
</aside>
<main>
<section id="charts">
<div class="chart panel"><h3>Claims per category</h3><div id="chart-category"></div></div>
<div class="chart panel"><h3>Claims per region</h3><div id="chart-region"></div></div>
<div class="chart panel wide"><div class="controls"><h3>Values by year</h3><select id="f-metric"></select></div>
<div id="chart-timeline"></div></div>
</section>
<div id="articles"></div>
</main>
<aside id="side" class="panel"><h2>Claim</h2>
<div id="detail"><p class="hint">Click a highlighted number to see the claim.</p></div></aside>
</div>
<script type="application/json" id="report-data">{json_for_script(data)}</script>
<script>{APP_JS}</script>
</body>
</html>
"""


def build_report(out_dir: Path, articles_dir: Path | None = None, output: Path | None = None,
                 title: str | None = None) -> Path:
    out_dir = Path(out_dir)
    articles_dir = Path(articles_dir) if articles_dir is not None else input_dir_from_manifest(out_dir)
    data = build_data(out_dir, articles_dir)
    output = Path(output) if output else out_dir / "report.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    page = render_html(data, title or f"extract report — {out_dir.resolve().name}")
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(output)
    return output


@click.command("report")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--articles", "articles_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Input folder of the run (default: the one recorded in OUT_DIR/run.json)")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write (default: OUT_DIR/report.html)")
@click.option("--title", default=None, help="Page title")
def report_command(out_dir: Path, articles_dir: Path | None, output: Path | None, title: str | None) -> None:
    """Write a self-contained HTML report of the claims in OUT_DIR."""
    if articles_dir is None and input_dir_from_manifest(out_dir) is None:
        raise click.UsageError("no input folder recorded in OUT_DIR/run.json (or it is gone): pass --articles INPUT_DIR")
    try:
        path = build_report(out_dir, articles_dir, output, title)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}", err=True)


def register(group: click.Group) -> None:
    group.add_command(report_command)
