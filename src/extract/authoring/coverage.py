"""`extract coverage`: numbers in article bodies that no rule explains.

A number counts as explained when a winning rule match (a claim or an
exclusion) overlaps it. Only body text is looked at: after the header, in
sentences that are not page furniture. Unexplained numbers are grouped by
their surroundings, the number replaced by {n}: up to two Han characters
before it, and after it either a known measure word (with 万/余/多 in
between) or up to two Han characters: 学校{n}间, 全市{n}余家, {n}分之.
"""
from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import click
import regex

from extract.config import column_options, columns_from, load_rules_or_fail
from extract.stages.normalize import normalize
from extract.stages.quantities import RuleTimeout, find_quantities
from extract.stages.rules import RuleSet, vocabulary_fragments
from extract.stages.segment import segment

_CN = "零〇一二两三四五六七八九十百千万亿"
NUMBER = regex.compile(rf"(?<![\d.,])\d+(?:[.,]\d+)*|[{_CN}]+")
_HAN = regex.compile(r"\p{Han}")
_MAGNITUDE_ONLY = set("十百千万亿")


@dataclass(frozen=True)
class Uncovered:
    article: str
    start: int          # offsets in the normalized text
    end: int
    number: str
    pattern: str
    snippet: str


class Coverage:
    def __init__(self, rules: RuleSet, context: str = "both"):
        self.rules = rules
        self.context = context
        frags = vocabulary_fragments(rules.vocabulary)
        self._measure = regex.compile(rf"[万亿千]?[余多]?(?:{frags['unit']}|{frags['noun_unit']})")
        self.total = 0

    def is_number(self, text: str, m) -> bool:
        """Arabic numbers always; a run of Chinese numerals only when it reads as a count."""
        s = m.group()
        if s[0].isdigit():
            return True
        if self._measure.match(text, m.end()) or text.startswith("分之", m.end()):
            return not set(s) <= _MAGNITUDE_ONLY or len(s) > 1
        return len(s) >= 2 and not set(s) <= _MAGNITUDE_ONLY

    def pattern(self, text: str, start: int, end: int) -> str:
        before = ""
        i = start
        while i > 0 and len(before) < 2 and _HAN.match(text[i - 1]) and text[i - 1] not in _CN:
            before = text[i - 1] + before
            i -= 1
        m = self._measure.match(text, end)
        if m:
            after = m.group()
        else:
            after = ""
            j = end
            while j < len(text) and len(after) < 2 and (_HAN.match(text[j]) or text[j] == "%"):
                after += text[j]
                j += 1
        if self.context == "next":
            before = ""
        elif self.context == "prev":
            after = ""
        return f"{before}{{n}}{after}"

    def article(self, path: str, original: str) -> list[Uncovered]:
        norm = normalize(original)
        text = norm.text
        seg = segment(text)
        spans = sorted((q.start, q.end) for q in find_quantities(text, self.rules, keep_exclusions=True))
        starts = [s for s, _ in spans]
        sent_starts = [s.start for s in seg.sentences]
        out = []
        for m in NUMBER.finditer(text, seg.header.end):
            if not self.is_number(text, m):
                continue
            k = bisect.bisect_right(sent_starts, m.start()) - 1
            if k < 0 or seg.sentences[k].furniture or m.start() >= seg.sentences[k].end:
                continue
            self.total += 1
            j = bisect.bisect_left(starts, m.end()) - 1   # winners never overlap: check the last one
            covered = j >= 0 and spans[j][1] > m.start()
            if covered:
                continue
            a, b = max(0, m.start() - 8), min(len(text), m.end() + 8)
            snippet = text[a:b].replace("\n", " ")
            out.append(Uncovered(path, m.start(), m.end(), m.group(), self.pattern(text, m.start(), m.end()),
                                 snippet))
        return out


@dataclass
class CoverageResult:
    groups: list[dict]          # [{pattern, count, examples}], most frequent first
    total: int                  # numbers seen in the bodies of the articles read
    missed: int                 # of them unexplained
    articles: int = 0           # articles read
    unread: list = field(default_factory=list)   # extract.inputs.reader.Unread: files and rows not read

    def __iter__(self):         # rows, total, missed = coverage(...)
        return iter((self.groups, self.total, self.missed))


def coverage(input_path: Path, rules: RuleSet, context: str = "both", columns=None,
             max_bytes: int = 20_000_000, follow_symlinks: bool = False) -> CoverageResult:
    """Unexplained numbers in every article under `input_path` (a folder or one
    file), read as `extract run` reads them: text files, web pages (their main
    text) and table rows (`columns`).  What cannot be read is listed in
    `unread`, not counted."""
    from extract.inputs.load import RawArticle
    from extract.inputs.reader import read_inputs

    cov = Coverage(rules, context)
    groups: dict[str, list[Uncovered]] = defaultdict(list)
    result = CoverageResult([], 0, 0)
    for item in read_inputs(Path(input_path), columns, max_bytes, follow_symlinks):
        if not isinstance(item, RawArticle):
            result.unread.append(item)
            continue
        try:
            found = cov.article(item.path, item.text)
        except RuleTimeout as exc:
            from extract.inputs.reader import Unread
            result.unread.append(Unread(item.path, str(exc)))
            continue
        result.articles += 1
        for u in found:
            groups[u.pattern].append(u)
    counts = Counter({p: len(us) for p, us in groups.items()})
    result.groups = [{"pattern": p, "count": n,
                      "examples": [f"{u.article}: …{u.snippet}…" for u in groups[p][:5]]}
                     for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    result.total, result.missed = cov.total, sum(counts.values())
    return result


def write_parquet(rows: list[dict], out: Path) -> None:
    import pyarrow as pa

    from extract.runs.writer import write_table_atomic
    schema = pa.schema([("pattern", pa.string()), ("count", pa.int64()), ("examples", pa.list_(pa.string()))])
    write_table_atomic(pa.Table.from_pylist(rows, schema=schema), out)


@click.command("coverage")
@click.argument("input_dir", type=click.Path(path_type=Path), metavar="INPUT")
@click.option("--rules", "user_rules", type=click.Path(exists=True, file_okay=False, path_type=Path),
              multiple=True, help="Extra rules folder (repeatable)")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the groups as Parquet (pattern, count, examples)")
@click.option("--context", type=click.Choice(["both", "next", "prev"]), default="both", show_default=True,
              help="Group by the words on both sides of the number, or only one side")
@click.option("--top", type=int, default=40, show_default=True, help="Groups to print (0 = all)")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True, help="Larger files are not read")
@click.option("--follow-symlinks", is_flag=True, help="Read symbolic links that point outside INPUT")
@column_options
def coverage_cmd(input_dir: Path, user_rules, out: Path | None, context: str, top: int, max_bytes: int,
                 follow_symlinks: bool, **column_names) -> None:
    """Numbers in article bodies that no rule turned into a claim and no
    exclusion explained, in every article under INPUT (a folder or one file),
    read as `extract run` reads them: .txt/.md, web pages, table rows (same
    column options).  Files that cannot be read are named, not counted."""
    if not input_dir.exists():
        raise click.ClickException(f"no such file or folder: {input_dir}")
    rules = load_rules_or_fail(user_rules)
    columns = columns_from(*(column_names[f"{k}_column"] for k in ("text", "title", "date", "url", "id")))
    result = coverage(input_dir, rules, context, columns, max_bytes, follow_symlinks)
    rows = result.groups
    shown = rows if top <= 0 else rows[:top]
    for r in shown:
        click.echo(f"{r['count']:6d}  {r['pattern']}")
        for ex in r["examples"][:2]:
            click.echo(f"          {ex}")
    if len(rows) > len(shown):
        click.echo(f"   ... {len(rows) - len(shown)} more patterns")
    for u in result.unread:
        click.echo(f"not read: {u.where}: {u.why}", err=True)
    total, missed = result.total, result.missed
    if total:
        pct = f"{100 * (total - missed) / total:.1f}% explained"
    else:
        pct = "nothing to explain"
    not_read = ""
    if result.unread:
        n_fmt = sum(u.format for u in result.unread)
        not_read = (f"; {len(result.unread)} not read and not counted"
                    + (f" ({n_fmt} of no article format)" if n_fmt else ""))
    click.echo(f"{result.articles} article{'' if result.articles == 1 else 's'}: {total} numbers in article bodies, {missed} unexplained in "
               f"{len(rows)} patterns ({pct}){not_read}", err=True)
    if out is not None:
        write_parquet(rows, out)
        click.echo(f"-> {out}", err=True)
    if not result.articles and result.unread:
        raise SystemExit(1)   # nothing could be read: no figure to trust
