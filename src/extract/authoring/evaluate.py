"""`extract evaluate OUT_DIR GOLD.jsonl` and `extract diff OLD_OUT NEW_OUT`.

Matching and figures are the scorer's (../shared/tools/score.py; a test checks
they agree): a predicted claim matches a gold claim of the same article
(compared by base name) when their spans overlap; pairs are taken greedily by
overlap length, one to one.
"""
from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict
from pathlib import Path

import click

FIELDS = ["value", "value_max", "unit", "qualifier", "kind", "target",
          "category", "region", "year", "baseline_year"]
CLAIM_FIELDS = ("value", "unit", "region", "year")
EXTRA_FIELDS = ("entity", "subject")   # scored too; score.py does not
DIFF_FIELDS = ["text", "value", "value_max", "unit", "qualifier", "kind", "target", "category", "subject",
               "region", "entity", "year", "baseline_year", "rule_id"]


MATCH_COLUMNS = ("article", "start", "end")                     # what matching needs
DIFF_COLUMNS = MATCH_COLUMNS + ("text", "value", "unit")          # what a diff line shows


def _json_lines(path: Path):
    """(line number, parsed value or the ValueError it raised) for each non-blank line
    of a JSON Lines file; the callers decide whether a bad line stops them."""
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except ValueError as exc:
                    yield n, exc


def load_claims(path: Path, base_names: bool = True, required: tuple[str, ...] = MATCH_COLUMNS) -> list[dict]:
    """Claims from a run folder (claims.parquet), a .parquet file or a .jsonl file.

    `base_names`: articles keyed by file name, as the gold format and score.py do;
    diff keeps the relative path, since two folders may hold a.txt each.  A
    malformed line, an unreadable table or a claim without the `required`
    fields is a message naming the file (and line), not a traceback."""
    path = Path(path)
    if path.is_dir():
        path = path / "claims.parquet"
    if not path.exists():
        raise click.ClickException(f"no claims table at {path}")
    if path.suffix == ".jsonl":
        rows = []
        try:
            for lineno, row in _json_lines(path):
                if isinstance(row, ValueError):
                    raise click.ClickException(f"{path}:{lineno}: not a JSON line ({row}): fix or remove it")
                if not isinstance(row, dict):
                    raise click.ClickException(f"{path}:{lineno}: a JSON {type(row).__name__}, not a claim object")
                _check_fields(row, required, f"{path}:{lineno}")
                rows.append(row)
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read {path}: {exc}") from exc
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise click.ClickException(f"{path} is not a readable Parquet table: {exc}") from exc
        missing = [c for c in required if c not in table.column_names]
        if missing:
            raise click.ClickException(f"{path} has no column {', '.join(missing)}: is it a claims table "
                                       f"of `extract run`?")
        rows = table.to_pylist()
        for i, row in enumerate(rows):
            _check_fields(row, required, f"{path} row {i}")
    if base_names:
        for r in rows:
            r["article"] = os.path.basename(str(r["article"]))
    return rows


class GoldError(click.ClickException):
    """A gold file that cannot be scored: every problem, by line."""


_QUALIFIERS = ("exact", "approx", "lower_bound", "upper_bound")
_KINDS = ("level", "change")
SHOW_PROBLEMS = 10


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def gold_problems(claim, where: str) -> list[str]:
    """What is wrong with one gold claim ([] = fine), each as `where: problem`."""
    from typing import get_args

    from extract.models import Category

    if not isinstance(claim, dict):
        return [f"{where}: a JSON {type(claim).__name__}, not an object"]
    bad = []

    def say(problem: str) -> None:
        bad.append(f"{where}: {problem}")

    for key in ("article", "start", "end", "value"):
        if claim.get(key) is None:
            say(f"no {key!r}")
    if claim.get("article") is not None and (not isinstance(claim["article"], str) or not claim["article"].strip()):
        say(f"article must be a file name, not {claim['article']!r}")
    for key in ("start", "end"):
        if claim.get(key) is not None and (not _is_int(claim[key]) or claim[key] < 0):
            say(f"{key} must be a character offset (a whole number, 0 or more), not {claim[key]!r}")
    if _is_int(claim.get("start")) and _is_int(claim.get("end")) and claim["end"] <= claim["start"]:
        say(f"end {claim['end']} is not after start {claim['start']}")
    if claim.get("value") is not None and not _is_num(claim["value"]):
        say(f"value must be a number, not {claim['value']!r}")
    checks = {
        "value_max": (_is_num, "a number or null"),
        "year": (_is_int, "a whole number or null"),
        "baseline_year": (_is_int, "a whole number or null"),
        "target": (lambda v: isinstance(v, bool), "true, false or null"),
        "qualifier": (lambda v: v in _QUALIFIERS, f"one of {', '.join(_QUALIFIERS)}"),
        "kind": (lambda v: v in _KINDS, f"one of {', '.join(_KINDS)}"),
        "category": (lambda v: v in get_args(Category), "a category of the guideline (" + ", ".join(get_args(Category)) + ")"),
    }
    for key in ("text", "unit", "subject", "region", "entity"):
        checks[key] = (lambda v: isinstance(v, str), "a string or null")
    for key, (ok, want) in checks.items():
        if claim.get(key) is not None and not ok(claim[key]):
            say(f"{key} must be {want}, not {claim[key]!r}")
    return bad


def load_gold(path: Path) -> list[dict]:
    """Gold claims, validated: GoldError listing every problem (by line) instead
    of a traceback halfway through the scores."""
    path = Path(path)
    if path.is_dir():
        raise GoldError(f"{path} is a folder: give the gold file (JSON Lines, one claim a line)")
    problems: list[str] = []
    rows: list[dict] = []
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        try:
            records = [(f"row {i}", r) for i, r in enumerate(pq.read_table(path).to_pylist())]
        except (OSError, pa.ArrowException) as exc:
            raise GoldError(f"{path}: not a readable Parquet file: {exc}") from exc
    else:
        records = []
        try:
            for n, record in _json_lines(path):
                if isinstance(record, ValueError):
                    problems.append(f"line {n}: not JSON ({record})")
                else:
                    records.append((f"line {n}", record))
        except UnicodeDecodeError as exc:
            raise GoldError(f"{path}: not UTF-8 text ({exc}): a gold file is JSON Lines in UTF-8") from exc
        except OSError as exc:
            raise GoldError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for where, claim in records:
        found = gold_problems(claim, where)
        problems.extend(found)
        if not found:
            rows.append(claim)
    if problems:
        shown = "\n  ".join(problems[:SHOW_PROBLEMS])
        more = f"\n  … and {len(problems) - SHOW_PROBLEMS} more" if len(problems) > SHOW_PROBLEMS else ""
        raise GoldError(f"{path}: {len(problems)} problem{'s' if len(problems) > 1 else ''} in the gold file "
                        f"(the fields are those of the guideline's gold format):\n  {shown}{more}")
    if not rows:
        raise GoldError(f"{path}: no gold claims in the file")
    for r in rows:
        r["article"] = os.path.basename(str(r["article"]))
    return rows


def run_articles(out_dir: Path) -> set[str] | None:
    """Base names of the articles of a run folder (articles.parquet, with or
    without claims); None when out_dir is no run folder."""
    path = Path(out_dir) / "articles.parquet"
    if not path.is_file():
        return None
    import pyarrow.parquet as pq
    names = pq.read_schema(path).names
    column = "article" if "article" in names else "path"
    return {os.path.basename(str(a)) for a in pq.read_table(path, columns=[column])[column].to_pylist()}


def split_gold(gold: list[dict], articles: set[str]) -> tuple[list[dict], list[dict]]:
    """(gold claims of articles in the run, the others)."""
    kept = [g for g in gold if g["article"] in articles]
    return kept, [g for g in gold if g["article"] not in articles]


def _check_fields(row: dict, required: tuple[str, ...], where: str) -> None:
    missing = [c for c in required if row.get(c) is None]
    bad = [c for c in ("start", "end") if c in required and c not in missing
           and (isinstance(row[c], bool) or not isinstance(row[c], int))]
    bad += [c for c in ("value",) if c in required and c not in missing
            and (isinstance(row[c], bool) or not isinstance(row[c], (int, float)))]
    if missing or bad:
        raise click.ClickException(f"{where}: " + "; ".join(
            ([f"no {', '.join(missing)}"] if missing else []) + ([f"{', '.join(bad)} not a number"] if bad else []))
            + " (a claim needs article, start and end; a diff also text, value and unit)")


def same(field: str, a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        a = None
    if isinstance(b, float) and math.isnan(b):
        b = None
    if field in ("value", "value_max"):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-3, abs_tol=1e-9)
    if field in ("year", "baseline_year"):
        return (None if a is None else int(a)) == (None if b is None else int(b))
    if field == "target":
        return bool(a) == bool(b)
    return (a or None) == (b or None)


def match(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    by_art: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for p in pred:
        by_art[p["article"]][0].append(p)
    for g in gold:
        by_art[g["article"]][1].append(g)
    pairs = []
    for ps, gs in by_art.values():
        cand = []
        for i, p in enumerate(ps):
            for j, g in enumerate(gs):
                ov = min(p["end"], g["end"]) - max(p["start"], g["start"])
                if ov > 0:
                    cand.append((ov, i, j))
        cand.sort(reverse=True)
        used_p, used_g = set(), set()
        for _, i, j in cand:
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            pairs.append((ps[i], gs[j]))
    return pairs


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(pred: list[dict], gold: list[dict]) -> dict:
    articles = {g["article"] for g in gold}
    pred = [p for p in pred if p["article"] in articles]
    pairs = match(pred, gold)
    out: dict = {"gold": len(gold), "predicted": len(pred), "matched": len(pairs)}
    out["precision"], out["recall"], out["f1"] = prf(len(pairs), len(pred), len(gold))
    for f in FIELDS:
        out["acc_" + f] = sum(same(f, p.get(f), g.get(f)) for p, g in pairs) / len(pairs) if pairs else 0.0
    for f in EXTRA_FIELDS:   # beyond score.py's figures
        out["acc_" + f] = sum(same(f, p.get(f), g.get(f)) for p, g in pairs) / len(pairs) if pairs else 0.0
    full = sum(all(same(f, p.get(f), g.get(f)) for f in CLAIM_FIELDS) for p, g in pairs)
    out["claim_precision"], out["claim_recall"], out["claim_f1"] = prf(full, len(pred), len(gold))
    # as score.py: also right as a plan or an achievement, a level or a change
    strict = sum(all(same(f, p.get(f), g.get(f)) for f in (*CLAIM_FIELDS, "kind", "target")) for p, g in pairs)
    out["strict_claim_f1"] = prf(strict, len(pred), len(gold))[2]
    gold_targets = [p for p, g in pairs if g.get("target")]
    found = sum(bool(p.get("target")) for p in gold_targets)
    said = sum(bool(p.get("target")) for p, _ in pairs)
    out["target_recall"] = found / len(gold_targets) if gold_targets else 0.0
    out["target_precision"] = found / said if said else 0.0

    cats = sorted({g.get("category") or "" for g in gold} | {p.get("category") or "" for p in pred})
    out["by_category"] = {}
    for c in cats:
        n_gold = sum((g.get("category") or "") == c for g in gold)
        n_pred = sum((p.get("category") or "") == c for p in pred)
        rec_tp = sum((g.get("category") or "") == c for _, g in pairs)       # gold of c found
        prec_tp = sum((p.get("category") or "") == c for p, _ in pairs)      # predictions of c that hit gold
        p_, r_ = (prec_tp / n_pred if n_pred else 0.0), (rec_tp / n_gold if n_gold else 0.0)
        pc = [(p, g) for p, g in pairs if (g.get("category") or "") == c]
        out["by_category"][c] = {
            "gold": n_gold, "predicted": n_pred, "precision": p_, "recall": r_,
            "f1": 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0,
            "field_acc": {f: sum(same(f, p.get(f), g.get(f)) for p, g in pc) / len(pc) if pc else None
                          for f in FIELDS}}
    out["by_rule"] = {}
    for rid in sorted({p.get("rule_id") or "" for p in pred}):
        pr = [(p, g) for p, g in pairs if (p.get("rule_id") or "") == rid]
        n = sum((p.get("rule_id") or "") == rid for p in pred)
        out["by_rule"][rid] = {
            "predicted": n, "matched": len(pr), "precision": len(pr) / n if n else 0.0,
            "field_acc": {f: sum(same(f, p.get(f), g.get(f)) for p, g in pr) / len(pr) if pr else None
                          for f in FIELDS}}
    matched_g = {id(g) for _, g in pairs}
    matched_p = {id(p) for p, _ in pairs}
    out["missed"] = [g for g in gold if id(g) not in matched_g]
    out["spurious"] = [p for p in pred if id(p) not in matched_p]
    out["wrong"] = [(p, g, [f for f in FIELDS if not same(f, p.get(f), g.get(f))]) for p, g in pairs]
    out["wrong"] = [w for w in out["wrong"] if w[2]]
    return out


def _acc_line(acc: dict) -> str:
    return "  ".join(f"{f}={v:.2f}" for f, v in acc.items() if v is not None)


@click.command("evaluate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[OUT_DIR] GOLD")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="The run's output folder when only GOLD is given (default: `out` of extract.toml)")
@click.option("--show", type=int, default=20, show_default=True, help="Misses / spurious / wrong fields to list")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON")
def evaluate_cmd(paths: tuple[Path, ...], out: Path | None, show: int, as_json: bool) -> None:
    """Precision, recall, F1 and field accuracy against GOLD, per category and per rule.

    GOLD is JSON Lines in the guideline's gold format, checked line by line
    first (every problem listed, exit 1).  Gold claims of articles the run
    did not read are skipped, with a warning.  OUT_DIR may be left out:
    --out, or `out` in extract.toml."""
    if len(paths) == 2:
        out_dir, gold = paths
    elif len(paths) == 1 and out is not None:
        out_dir, gold = out, paths[0]
    else:
        raise click.UsageError("give OUT_DIR GOLD, or GOLD with --out OUT_DIR (or `out` in extract.toml)")
    for path in (out_dir, gold):
        if not path.exists():
            raise click.ClickException(f"no such file or folder: {path}")
    gold_claims = load_gold(gold)
    try:
        pred = load_claims(out_dir)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{out_dir}: cannot read the predicted claims: {exc}") from exc
    articles = run_articles(out_dir) if Path(out_dir).is_dir() else None
    of_what = "the run" if articles is not None else f"{out_dir} (its articles without claims look absent too)"
    if articles is None:
        articles = {p["article"] for p in pred}
    gold_claims, skipped = split_gold(gold_claims, articles)
    if skipped:
        names = sorted({g["article"] for g in skipped})
        click.echo(f"warning: {len(skipped)} gold claims of {len(names)} articles not in {of_what} were skipped: "
                   f"{', '.join(names[:5])}{' …' if len(names) > 5 else ''}", err=True)
    if not gold_claims:
        raise click.ClickException(f"none of the gold's articles is in {of_what}: nothing to score")
    r = evaluate(pred, gold_claims)
    r["skipped_gold"] = len(skipped)
    if as_json:
        slim = {k: v for k, v in r.items() if k not in ("missed", "spurious", "wrong")}
        slim["missed"] = len(r["missed"])
        slim["spurious"] = len(r["spurious"])
        click.echo(json.dumps(slim, ensure_ascii=False))
        return
    click.echo(f"gold {r['gold']}  predicted {r['predicted']}  matched {r['matched']}")
    click.echo(f"mention  P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")
    click.echo(f"claim    P {r['claim_precision']:.3f}  R {r['claim_recall']:.3f}  F1 {r['claim_f1']:.3f}"
               f"  (value, unit, region and year all right)")
    click.echo(f"strict claim F1 {r['strict_claim_f1']:.3f} (also kind and target)  targets: "
               f"R {r['target_recall']:.3f}  P {r['target_precision']:.3f}")
    click.echo("field accuracy over matched: " + _acc_line({f: r["acc_" + f] for f in (*FIELDS, *EXTRA_FIELDS)}))
    click.echo("\nper category (gold category for recall, predicted for precision):")
    click.echo(f"  {'category':<18}{'gold':>5}{'pred':>6}{'P':>7}{'R':>7}{'F1':>7}")
    for c, s in r["by_category"].items():
        click.echo(f"  {c or '-':<18}{s['gold']:>5}{s['predicted']:>6}{s['precision']:>7.2f}{s['recall']:>7.2f}"
                   f"{s['f1']:>7.2f}")
    click.echo("\nper rule (precision = predictions that match a gold claim):")
    click.echo(f"  {'rule':<24}{'pred':>5}{'match':>6}{'P':>7}  field accuracy")
    for rid, s in r["by_rule"].items():
        acc = {f: s["field_acc"][f] for f in ("value", "unit", "qualifier", "category", "region", "year")}
        click.echo(f"  {rid or '-':<24}{s['predicted']:>5}{s['matched']:>6}{s['precision']:>7.2f}  {_acc_line(acc)}")
    click.echo("")
    _listing("missed", r["missed"], show,
             lambda g: f"{g['article']}:{g['start']} {g['text']!r} {g.get('category')} {g.get('subject') or ''}")
    _listing("spurious", r["spurious"], show,
             lambda p: f"{p['article']}:{p['start']} {p['text']!r} {p.get('rule_id')} {p.get('category')}")
    _listing("wrong fields", r["wrong"], show,
             lambda w: f"{w[1]['article']}:{w[1]['start']} {w[1]['text']!r} [{w[0].get('rule_id')}] "
                       + ", ".join(f"{f}: {w[0].get(f)!r} != {w[1].get(f)!r}" for f in w[2]))


def _listing(title: str, items: list, show: int, line) -> None:
    """A titled, counted list, the first `show` items one per line."""
    click.echo(f"{title} ({len(items)}):")
    for item in items[:show]:
        click.echo("  " + line(item))


# --------------------------------------------------------------------------- diff

def diff(old: list[dict], new: list[dict]) -> dict:
    """Pairs old and new claims: same article and span first, then by greatest overlap."""
    key = lambda c: (c["article"], c["start"], c["end"])  # noqa: E731
    old_by = {key(c): c for c in old}
    pairs, rest_new = [], []
    for c in new:
        o = old_by.pop(key(c), None)
        (pairs.append((o, c)) if o is not None else rest_new.append(c))
    rest_old = list(old_by.values())
    pairs += [(o, n) for n, o in match(rest_new, rest_old)]
    paired_old = {id(o) for o, _ in pairs}
    paired_new = {id(n) for _, n in pairs}
    changed = []
    for o, n in pairs:
        fields = [f for f in DIFF_FIELDS if not same(f, o.get(f), n.get(f))]
        if (o["start"], o["end"]) != (n["start"], n["end"]):
            fields.insert(0, "span")
        if fields:
            changed.append((o, n, fields))
    return {"gained": [c for c in new if id(c) not in paired_new],
            "lost": [c for c in old if id(c) not in paired_old],
            "changed": changed, "unchanged": len(pairs) - len(changed)}


def _summary(d: dict, field: str) -> list[tuple[str, int, int, int]]:
    g = Counter(c.get(field) or "-" for c in d["gained"])
    lo = Counter(c.get(field) or "-" for c in d["lost"])
    ch = Counter(n.get(field) or "-" for _, n, _ in d["changed"])
    keys = sorted(set(g) | set(lo) | set(ch), key=lambda k: (-(g[k] + lo[k] + ch[k]), k))
    return [(k, g[k], lo[k], ch[k]) for k in keys]


def _claim(c: dict) -> str:
    vmax = f"..{c['value_max']:g}" if c.get("value_max") is not None else ""
    return (f"{c['article']}:{c['start']} {c['text']!r} {c['value']:g}{vmax} {c['unit']} "
            f"{c.get('category')} [{c.get('rule_id')}]")


@click.command("diff")
@click.argument("old_out", type=click.Path(exists=True, path_type=Path))
@click.argument("new_out", type=click.Path(exists=True, path_type=Path))
@click.option("--show", type=int, default=20, show_default=True, help="Claims to list per kind (0 = none)")
def diff_cmd(old_out: Path, new_out: Path, show: int) -> None:
    """Claims gained, lost and changed between two runs, per rule and category."""
    d = diff(load_claims(old_out, base_names=False, required=DIFF_COLUMNS),
             load_claims(new_out, base_names=False, required=DIFF_COLUMNS))
    click.echo(f"gained {len(d['gained'])}  lost {len(d['lost'])}  changed {len(d['changed'])}  "
               f"unchanged {d['unchanged']}")
    for field in ("rule_id", "category"):
        click.echo(f"\nper {field}:")
        click.echo(f"  {field:<24}{'gained':>7}{'lost':>6}{'changed':>8}")
        for k, g, lo, ch in _summary(d, field):
            click.echo(f"  {k:<24}{g:>7}{lo:>6}{ch:>8}")
    if show:
        click.echo("")
        _listing("gained", d["gained"], show, lambda c: f"+ {_claim(c)}")
        _listing("lost", d["lost"], show, lambda c: f"- {_claim(c)}")
        _listing("changed", d["changed"], show, _change_line)


def _change_line(change) -> str:
    o, n, fields = change
    detail = ", ".join(f"{f}: {o.get(f)!r} -> {n.get(f)!r}" if f != "span"
                       else f"span {o['start']}-{o['end']} -> {n['start']}-{n['end']}" for f in fields)
    return f"~ {n['article']}:{n['start']} {n['text']!r}: {detail}"
