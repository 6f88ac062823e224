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
from dataclasses import dataclass
from pathlib import Path

import click
import regex

from extract.inputs.load import LoadError, discover, read_article
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


def coverage(input_dir: Path, rules: RuleSet, context: str = "both") -> tuple[list[dict], int, int]:
    """([{pattern, count, examples}], numbers seen, numbers unexplained), most frequent first."""
    cov = Coverage(rules, context)
    groups: dict[str, list[Uncovered]] = defaultdict(list)
    articles, _ = discover(Path(input_dir))
    for path in articles:
        rel = path.relative_to(input_dir).as_posix()
        try:
            raw = read_article(path, rel)
            found = cov.article(rel, raw.text)
        except (LoadError, RuleTimeout) as exc:
            click.echo(f"skipped {rel}: {exc}", err=True)
            continue
        for u in found:
            groups[u.pattern].append(u)
    counts = Counter({p: len(us) for p, us in groups.items()})
    rows = [{"pattern": p, "count": n,
             "examples": [f"{u.article}: …{u.snippet}…" for u in groups[p][:5]]}
            for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return rows, cov.total, sum(counts.values())


def write_parquet(rows: list[dict], out: Path) -> None:
    import pyarrow as pa

    from extract.runs.writer import write_table_atomic
    schema = pa.schema([("pattern", pa.string()), ("count", pa.int64()), ("examples", pa.list_(pa.string()))])
    write_table_atomic(pa.Table.from_pylist(rows, schema=schema), out)


@click.command("coverage")
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--rules", "user_rules", type=click.Path(exists=True, file_okay=False, path_type=Path),
              multiple=True, help="Extra rules folder (repeatable)")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the groups as Parquet (pattern, count, examples)")
@click.option("--context", type=click.Choice(["both", "next", "prev"]), default="both", show_default=True,
              help="Group by the words on both sides of the number, or only one side")
@click.option("--top", type=int, default=40, show_default=True, help="Groups to print (0 = all)")
def coverage_cmd(input_dir: Path, user_rules, out: Path | None, context: str, top: int) -> None:
    """Numbers in article bodies that no rule turned into a claim and no exclusion explained."""
    from extract.authoring.tools import _load
    rules = _load(user_rules)
    rows, total, missed = coverage(input_dir, rules, context)
    shown = rows if top <= 0 else rows[:top]
    for r in shown:
        click.echo(f"{r['count']:6d}  {r['pattern']}")
        for ex in r["examples"][:2]:
            click.echo(f"          {ex}")
    if len(rows) > len(shown):
        click.echo(f"   ... {len(rows) - len(shown)} more patterns")
    pct = 100 * (total - missed) / total if total else 100.0
    click.echo(f"{total} numbers in article bodies, {missed} unexplained in {len(rows)} patterns "
               f"({pct:.1f}% explained)", err=True)
    if out is not None:
        write_parquet(rows, out)
        click.echo(f"-> {out}", err=True)
