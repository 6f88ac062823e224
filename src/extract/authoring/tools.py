"""Rule authoring: run rule examples, explain a claim, and the `extract rules` commands.

A rule's `examples` and `counter_examples` are executable: each example text is
normalized and EVERY rule runs on it (`find_quantities(..., keep_exclusions=True)`),
so an example only passes when the rule also wins against the other rules.

- example: passes when some winning match of this rule has the expected fields
  (text compared on the original example text; value within 1e-3 relative;
  unit, qualifier, value_max; kind/category when the rule yields them).
  For an exclusion rule, a winning match of the exclusion with that text.
- counter-example: passes when this rule has no winning match in it.

`validate_examples(ruleset)` returns the failures; `extract rules test` prints
them, and `extract run --rules DIR` refuses to start when a user rule's own
examples fail (see `register`).
"""
from __future__ import annotations

import json

import functools
import re
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import click

from extract.config import column_options, columns_from, load_rules_or_fail
from extract.stages.normalize import normalize
from extract.stages.quantities import Quantity, RuleTimeout, find_quantities
from extract.stages.rules import Example, Rule, RuleError, RuleSet, load_rules

REL_TOL = 1e-3


@dataclass(frozen=True)
class Failure:
    file: str
    line: int
    rule_id: str
    kind: str          # "example" | "counter_example" | "timeout"
    text: str
    expected: str
    got: str

    def __str__(self) -> str:
        return (f"{self.file}:{self.line} rule {self.rule_id}: {self.kind} failed\n"
                f"    text:     {self.text!r}\n"
                f"    expected: {self.expected}\n"
                f"    got:      {self.got}")


@dataclass(frozen=True)
class Match:
    """One winning match in an example text, fields as the rule produced them."""
    rule_id: str
    text: str              # original text of the span
    start: int             # original offsets
    end: int
    exclude: bool
    value: float | None
    value_max: float | None
    unit: str
    qualifier: str
    kind: str | None
    category: str | None
    lost_to: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        if self.exclude:
            return f"{self.rule_id} excluded {self.text!r}"
        parts = [f"value={_num(self.value)}"]
        if self.value_max is not None:
            parts.append(f"value_max={_num(self.value_max)}")
        parts += [f"unit={self.unit!r}", f"qualifier={self.qualifier}"]
        if self.kind:
            parts.append(f"kind={self.kind}")
        if self.category:
            parts.append(f"category={self.category}")
        return f"{self.rule_id} {self.text!r} " + " ".join(parts)


def _num(v: float | None) -> str:
    return "None" if v is None else (f"{v:g}" if abs(v) < 1e15 else repr(v))


def matches_in(text: str, rules: RuleSet) -> list[Match]:
    """Winning matches (claims and exclusions) of all rules in `text`, original offsets."""
    norm = normalize(text)
    out = []
    for q in find_quantities(norm.text, rules, keep_exclusions=True):
        s, e = norm.span_to_orig(q.start, q.end)
        out.append(_as_match(q, text, s, e))
    return out


def _as_match(q: Quantity, original: str, s: int, e: int) -> Match:
    y = q.rule.yields
    return Match(q.rule.id, original[s:e], s, e, q.exclude, q.value, q.value_max, q.unit, q.qualifier,
                 y.kind, y.category or q.unit_category, tuple(q.lost_to))


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


def mismatches(example: Example, m: Match) -> list[str]:
    """Fields of `m` that differ from the example's expectation ([] = pass)."""
    x = example.expect
    bad = []
    if x.text is not None and m.text != x.text:
        bad.append(f"text {m.text!r} != {x.text!r}")
    if m.exclude:
        return bad
    if x.value is not None and not _close(m.value, x.value):
        bad.append(f"value {_num(m.value)} != {_num(x.value)}")
    if x.value_max is not None and not _close(m.value_max, x.value_max):
        bad.append(f"value_max {_num(m.value_max)} != {_num(x.value_max)}")
    if x.unit is not None and m.unit != x.unit:
        bad.append(f"unit {m.unit!r} != {x.unit!r}")
    if x.qualifier is not None and m.qualifier != x.qualifier:
        bad.append(f"qualifier {m.qualifier} != {x.qualifier}")
    if x.kind is not None and m.kind is not None and m.kind != x.kind:
        bad.append(f"kind {m.kind} != {x.kind}")
    if x.category is not None and m.category is not None and m.category != x.category:
        bad.append(f"category {m.category} != {x.category}")
    return bad


def _expected(example: Example) -> str:
    fields = example.expect.model_dump(exclude_none=True)
    return ", ".join(f"{k}={v!r}" for k, v in fields.items()) or "a match"


def _got(rule: Rule, found: list[Match]) -> str:
    mine = [m for m in found if m.rule_id == rule.id]
    if mine:
        return "; ".join(m.describe() for m in mine)
    lost = [f"lost to {m.rule_id} on {m.text!r} ({why})" for m in found
            for rid, why in m.lost_to if rid == rule.id]
    if lost:
        return "no winning match of this rule: " + "; ".join(lost)
    others = "; ".join(m.describe() for m in found) or "nothing"
    return f"no match of this rule (winners: {others})"


def check_rule(rule: Rule, rules: RuleSet) -> list[Failure]:
    """Failures of one rule's examples and counter-examples."""
    failures = []

    def fail(kind, text, expected, got):
        failures.append(Failure(rule.source, rule.line, rule.id, kind, text, expected, got))

    for example in rule.examples:
        try:
            found = matches_in(example.text, rules)
        except RuleTimeout as exc:
            fail("timeout", example.text, _expected(example), str(exc))
            continue
        mine = [m for m in found if m.rule_id == rule.id]
        if not any(not mismatches(example, m) for m in mine):
            got = _got(rule, found)
            if mine:
                got += " [" + "; ".join(", ".join(mismatches(example, m)) for m in mine) + "]"
            fail("example", example.text, _expected(example), got)
    for text in rule.counter_examples:
        try:
            found = matches_in(text, rules)
        except RuleTimeout as exc:
            fail("timeout", text, "no match of this rule", str(exc))
            continue
        mine = [m for m in found if m.rule_id == rule.id]
        if mine:
            fail("counter_example", text, "no match of this rule", "; ".join(m.describe() for m in mine))
    return failures


def validate_examples(ruleset: RuleSet, sources: Iterable[Path] | None = None) -> list[Failure]:
    """Failures of every rule's examples (or only of rules from files under `sources`)."""
    roots = [Path(s).resolve() for s in sources] if sources is not None else None
    failures = []
    for rule in ruleset.rules:
        if roots is not None and not any(_under(Path(rule.source), r) for r in roots):
            continue
        failures.extend(check_rule(rule, ruleset))
    return failures


def _under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def load_checked(user_rules: list[Path]) -> RuleSet:
    """Load rules and check the user folders' examples; RuleError on the first problem."""
    ruleset = load_rules(user_rules)
    failures = validate_examples(ruleset, user_rules) if user_rules else []
    if failures:
        f = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise RuleError(f.file, f"{f.kind} failed{more}: {f.text!r}: expected {f.expected}; got {f.got}",
                        f.rule_id, f.line or None)
    return ruleset


# --------------------------------------------------------------------------- CLI

_RULES_OPT = click.option("--rules", "user_rules", type=click.Path(exists=True, file_okay=False, path_type=Path),
                          multiple=True, help="Extra rules folder (repeatable); a rule with a shipped id overrides it")


_load = load_rules_or_fail   # the rules of a command (shared with coverage, see extract.config)


@click.group("rules")
def rules_group() -> None:
    """Check and inspect rule packs."""


@rules_group.command("test")
@_RULES_OPT
@click.option("--user-only", is_flag=True, help="Only the rules from --rules folders")
def rules_test(user_rules, user_only: bool) -> None:
    """Run every rule's examples and counter-examples; exit 1 on any failure."""
    ruleset = _load(user_rules)
    failures = validate_examples(ruleset, list(user_rules) if user_only else None)
    tested = [r for r in ruleset.rules
              if not user_only or any(_under(Path(r.source), Path(u).resolve()) for u in user_rules)]
    n_ex = sum(len(r.examples) + len(r.counter_examples) for r in tested)
    for f in failures:
        click.echo(str(f))
    click.echo(f"{len(tested)} rules, {n_ex} examples, {len(failures)} failures", err=True)
    if failures:
        raise SystemExit(1)


def _wrap_run(main: click.Group) -> None:
    """`extract run`: check user rules' examples before any article is processed."""
    cmd = main.commands.get("run")
    if cmd is None or getattr(cmd.callback, "_examples_checked", False):
        return
    original = cmd.callback

    @functools.wraps(original)
    def callback(*args, **kwargs):
        user_rules = list(kwargs.get("user_rules") or ())
        if user_rules:
            try:
                load_checked(user_rules)
            except RuleError as exc:
                raise click.ClickException(f"broken rule file: {exc}") from exc
        return original(*args, **kwargs)

    callback._examples_checked = True
    cmd.callback = callback


def register(main: click.Group) -> None:
    """Add the authoring commands to the `extract` group."""
    from extract.authoring.coverage import coverage_cmd
    main.add_command(rules_group)
    main.add_command(coverage_cmd)
    main.add_command(explain_cmd)
    from extract.authoring.evaluate import diff_cmd, evaluate_cmd
    main.add_command(evaluate_cmd)
    main.add_command(diff_cmd)
    _wrap_run(main)


# --------------------------------------------------------------------------- explain

def _dropped_why(q, seg, text: str) -> str:
    """Where a matched number was dropped: the header, or which page furniture."""
    from extract.stages.segment import furniture_reason

    if q.start < seg.header.end:
        return "in the header: publication line, site name or menu"
    for sent in seg.sentences:
        if sent.start <= q.start < sent.end:
            if not sent.furniture:
                return "across a sentence end"
            para = seg.paragraphs[sent.paragraph]
            why = (furniture_reason(text[sent.start:sent.end], para.end - para.start)
                   or furniture_reason(text[para.start:para.end]))
            return "page furniture: " + (why or "inside a related-links or legal block")
    return "outside any sentence"


def _words_behind(c, text: str) -> list[str]:
    """The words behind a claim's region, year, category, kind and target (claims'
    region_start … target_cue), as explain prints them."""
    def span(name: str, start, end) -> str:
        return f"{name} {text[start:end]!r} at {start}-{end}" if start is not None else f"{name} -"

    def cue(name: str) -> str | None:
        words, start = getattr(c, f"{name}_cue"), getattr(c, f"{name}_cue_start")
        if words is None:
            return None
        return span(f"{name} cue", start, getattr(c, f"{name}_cue_end")) if start is not None \
            else f"{name} cue ({words})"
    where = [span("region words", c.region_start, c.region_end) if c.region is not None else None,
             span("year words", c.year_start, c.year_end) if c.year is not None else None]
    cues = [cue("category"), cue("kind"), cue("target")]
    return [f"    {'  '.join(x for x in part if x)}" for part in (where, cues) if any(part)]


def explain(text, extractor, path: str = "text") -> str:
    """Readable account of every claim, exclusion and unexplained number in
    `text`: a string, or a RawArticle as the run reads it (with the metadata
    given with it: a page's or a row's date, title, URL)."""
    return explain_result(text, extractor, path)[0]


def explain_result(text, extractor, path: str = "text"):
    """(the account of `explain`, the ArticleResult it explains)."""
    from extract.authoring.coverage import Coverage
    from extract.inputs.load import RawArticle

    from extract.stages.segment import segment

    if isinstance(text, RawArticle):
        raw, path, text = text, text.path, text.text
    else:
        raw = RawArticle(path, text, "", "utf-8", len(text.encode("utf-8")))
    result = extractor.process(raw)
    norm = normalize(text)
    seg = segment(norm.text)
    art = result.article
    winners = find_quantities(norm.text, extractor.rules, keep_exclusions=True)
    by_span = {norm.span_to_orig(q.start, q.end): q for q in winners}
    given = [f"{k} {v!r}" for k, v in (("format", raw.input_format), ("title", raw.title_given),
                                        ("published", raw.published_given), ("url", raw.url),
                                        ("site", raw.site_given)) if v is not None]
    lines = [f"input {path}: " + "  ".join(given)] if raw.input_format != "txt" or raw.file else []
    lines += [f"article: kind {art.kind}  published {art.published or '-'}  reference year {art.reference_year}"
             f" ({art.year_source})  anchor year {art.anchor_year}  home {art.home_region} ({art.region_source})"
             f"  furniture sentences {art.furniture_sentences}"]
    for ev in json.loads(art.context_evidence or "[]"):
        lines.append(f"    evidence {ev['kind']}: {ev['text']!r}" + (f" -> {ev['region']}" if "region" in ev else "")
                     + (f" -> {ev['year']}" if "year" in ev else ""))
    claimed = set()
    for n, c in enumerate(result.claims, 1):
        q = by_span.get((c.start, c.end))
        claimed.add((c.start, c.end))
        rule = q.rule if q else None
        lines.append(f"claim {n}: {c.text!r} at {c.start}-{c.end}  rule {c.rule_id}"
                     + (f" (priority {rule.priority}, {Path(rule.source).name}:{rule.line})" if rule else ""))
        vmax = f"..{_num(c.value_max)}" if c.value_max is not None else ""
        lines.append(f"    value {_num(c.value)}{vmax}  unit {c.unit!r}  qualifier {c.qualifier}  kind {c.kind}"
                     f"  target {c.target}")
        lines.append(f"    category {c.category}  subject {c.subject!r}  region {c.region} ({c.region_source})"
                     f"  year {c.year} ({c.year_source})"
                     + (f"  baseline_year {c.baseline_year}" if c.baseline_year is not None else "")
                     + (f"  entity {c.entity}" if c.entity else ""))
        lines += _words_behind(c, text)
        for rid, why in (q.lost_to if q else []):
            lines.append(f"    lost: {rid}: {why}")
    for q in winners:
        span = norm.span_to_orig(q.start, q.end)
        if span in claimed:
            continue
        what = f"excluded by {q.rule.id}" if q.exclude else f"matched by {q.rule.id} but dropped ({_dropped_why(q, seg, norm.text)})"
        lines.append(f"{what}: {text[span[0]:span[1]]!r} at {span[0]}-{span[1]}")
        for rid, why in q.lost_to:
            lines.append(f"    lost: {rid}: {why}")
    cov = Coverage(extractor.rules)
    for u in cov.article(path, text):
        s, e = norm.span_to_orig(u.start, u.end)
        lines.append(f"no rule: {text[s:e]!r} at {s}-{e}  pattern {u.pattern}  …{u.snippet}…")
    lines.append(f"{len(result.claims)} claims")
    return "\n".join(lines), result


def _exists(path: Path) -> bool:
    """A text argument can be too long for a file name (255 bytes: 85 Han characters)."""
    try:
        return path.exists()
    except OSError:
        return False


# an argument that names a file rather than states a fact: one word ending in a file
# extension (a.txt, 鞍山.html; not 3.5 or 95.5%), or starting like a path
_PATH_LIKE = re.compile(r"^(?:[./~]|\S*[/\\])?\S*\.[A-Za-z][A-Za-z0-9]{0,7}$|^(?:/|\./|\.\./|~/)\S*$")


def looks_like_path(arg: str) -> bool:
    return len(arg) < 4096 and "\n" not in arg and _PATH_LIKE.match(arg) is not None


def _article_line(raw) -> str:
    where = f" ({raw.file} row {raw.row})" if raw.file is not None else ""
    return f"=== {raw.path}{where}"


@click.command("explain")
@click.argument("text_or_file", required=False)
@_RULES_OPT
@click.option("--article", "article_key", default=None, metavar="KEY",
              help="The article to explain: a file's path under a folder, or a table row's key (id, url or "
                   "file#row); with --out, an article of that run")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A run's output folder: with --article KEY, explain what that run produced for KEY")
@click.option("--articles", "articles_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --out: the run's input folder, where .txt/.md articles are read (default: from OUT/run.json)")
@click.option("--text", "as_text", is_flag=True, help="TEXT_OR_FILE is a text, even where it looks like a path")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True, help="Larger files are not read")
@column_options
def explain_cmd(text_or_file: str | None, user_rules, article_key, out, articles_dir, as_text, max_bytes,
                **column_names) -> None:
    """Which rule made each claim, its fields, and which rules lost and why.

    TEXT_OR_FILE is a text, or a file or folder read as `extract run` reads
    it: a web page's main text and metadata, each row of a table (.jsonl,
    .csv, .parquet; same column options), --article picking one.  Without
    TEXT_OR_FILE, `--out OUT --article KEY` explains the article KEY of
    that run, from the text the run read, and checks the claims against
    OUT/claims.parquet.
    """
    from extract.pipeline import Extractor

    columns = columns_from(*(column_names[f"{k}_column"] for k in ("text", "title", "date", "url", "id")))
    if text_or_file is None:
        if article_key is None:
            raise click.UsageError("give a TEXT_OR_FILE, or --out OUT --article KEY")
        if out is None:
            raise click.UsageError("--article KEY without TEXT_OR_FILE needs --out OUT, the run's output folder")
        raw, stored = _from_run(out, article_key, articles_dir, max_bytes)
        extractor = Extractor(rules=_load(user_rules))
        text, result = _explained(raw, extractor)
        click.echo(text)
        _compare_with_run(stored, result, extractor.version)
        return

    path = Path(text_or_file)
    if as_text or not (_exists(path) if len(text_or_file) < 4096 else False):
        if not as_text and looks_like_path(text_or_file):
            raise click.ClickException(f"no such file or folder: {text_or_file} "
                                       f"(to explain these words as a text, add --text)")
        extractor = Extractor(rules=_load(user_rules))
        click.echo(_explained(text_or_file, extractor)[0])
        return
    if path.is_dir() and article_key is None:
        raise click.ClickException(f"{path} is a folder: name the article to explain with --article KEY")
    from extract.inputs.reader import read_inputs
    raws, unread = [], []
    try:
        for item in read_inputs(path, columns, max_bytes, only=article_key):
            if hasattr(item, "text"):
                if article_key is None or item.path == article_key:
                    raws.append(item)
            elif article_key is None or item.where in (article_key, path.name) or item.where.startswith(article_key):
                unread.append(item)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if not raws:
        if unread and (article_key is None or path.is_file()):
            raise click.ClickException(f"cannot explain {text_or_file}: {unread[0].why}")
        raise click.ClickException(f"no article {article_key!r} in {text_or_file}")
    for u in unread:
        click.echo(f"not read: {u.where}: {u.why}", err=True)
    extractor = Extractor(rules=_load(user_rules))
    for raw in raws:
        if len(raws) > 1 or raw.file is not None:
            click.echo(_article_line(raw))
        click.echo(_explained(raw, extractor)[0])


def _explained(raw, extractor):
    try:
        return explain_result(raw, extractor)
    except RuleTimeout as exc:
        raise click.ClickException(str(exc)) from exc


def _from_run(out: Path, key: str, articles_dir: Path | None, max_bytes: int):
    """(the article KEY as the run read it, its rows in OUT: {article, claims, errors})."""
    import pyarrow.parquet as pq

    from extract.inputs.load import LoadError, RawArticle
    from extract.runs.manifest import read_manifest

    if not out.is_dir():
        raise click.ClickException(f"no such output folder: {out}")
    if not (out / "articles.parquet").is_file():
        raise click.ClickException(f"{out} holds no articles.parquet: not the output folder of `extract run`")
    rows = pq.read_table(out / "articles.parquet", filters=[("path", "==", key)]).to_pylist()
    if not rows:
        keys = pq.read_table(out / "articles.parquet", columns=["path"])["path"].to_pylist()
        import difflib
        near = [k for k in keys if k.endswith("/" + key) or k.endswith("#" + key)] or \
            difflib.get_close_matches(key, keys, n=5, cutoff=0.5)
        hint = f" (did you mean {', '.join(near[:5])}?)" if near else f" ({len(keys)} articles, e.g. {', '.join(keys[:3])})"
        raise click.ClickException(f"no article {key!r} in {out / 'articles.parquet'}{hint}")
    art = rows[0]

    def rows_of(name: str, column: str) -> list[dict]:
        path = out / f"{name}.parquet"
        return pq.read_table(path, filters=[(column, "==", key)]).to_pylist() if path.is_file() else []
    stored = {"article": art, "claims": rows_of("claims", "article"), "errors": rows_of("errors", "path")}
    if art["status"] == "error":
        reasons = "; ".join(e["reason"] for e in stored["errors"] if e["severity"] == "error") or "see errors.parquet"
        raise click.ClickException(f"the run could not extract {key}: {reasons}")
    if art["text"] is not None:   # web pages and table rows: the text the run read is kept
        raw = RawArticle(key, art["text"], art["sha256"], art["encoding"] or "utf-8",
                         len(art["text"].encode("utf-8")), url=art["url"], title_given=art["title_given"],
                         published_given=art["published_given"], input_format=art["input_format"],
                         site_given=art["site_given"], file=art["file"], row=art["row"])
        return raw, stored
    folder = articles_dir
    if folder is None:
        recorded = (read_manifest(out) or {}).get("input")
        folder = Path(recorded) if recorded else None
    if folder is None or not (folder / key).is_file():
        where = f"{folder / key}" if folder is not None else "(no input folder in run.json)"
        raise click.ClickException(f"{key} is a {art['input_format']} file, whose text the run does not keep, and "
                                   f"it is not at {where}: give the run's input folder with --articles DIR")
    from extract.inputs import read_file_article
    try:
        raw = read_file_article(folder / key, key, max_bytes)
    except LoadError as exc:
        raise click.ClickException(f"cannot read {folder / key}: {exc}") from exc
    if raw.sha256 != art["sha256"]:
        click.echo(f"warning: {folder / key} changed since the run (its sha256 differs from articles.parquet)",
                   err=True)
    return raw, stored


_COMPARED = ("start", "end", "text", "value", "value_max", "unit", "qualifier", "kind", "target", "category",
             "subject", "region", "entity", "year", "baseline_year",
             # the words behind the fields (absent from runs before they were recorded)
             "region_start", "region_end", "year_start", "year_end", "category_cue", "category_cue_start",
             "kind_cue", "kind_cue_start", "target_cue", "target_cue_start", "rule_id")


def _compare_with_run(stored: dict, result, version: str) -> None:
    """Say whether the claims explained are those of claims.parquet, and which differ."""
    def key(c) -> tuple:
        return tuple(c.get(f) for f in _COMPARED)
    run = sorted(key(c) for c in stored["claims"])
    now = sorted(key(c.model_dump()) for c in result.claims)
    n = len(run)
    if run == now:
        click.echo(f"claims.parquet holds these {n} claims for {stored['article']['path']}")
        return
    then = stored["article"]["extractor_version"]
    why = (f"extracted by {then}, explained with {version}: the rules or code changed since the run"
           if then != version else "the same extractor version")
    click.echo(f"claims.parquet differs: {n} claims there, {len(now)} here ({why})")
    for c in sorted(set(run) - set(now)):
        click.echo(f"  only in claims.parquet: {c[2]!r} at {c[0]}-{c[1]} rule {c[-1]}")
    for c in sorted(set(now) - set(run)):
        click.echo(f"  only here: {c[2]!r} at {c[0]}-{c[1]} rule {c[-1]}")
