"""Tables flattened into lines: bare figures in rows of cells, with the unit their
column header names, and the year a year column or the table's title gives.

Web pages lose their <table> markup in extraction and reach us as lines of cells
split by | or by spaces (rules/grids.yaml shows both). The claim rules skip a bare
8200 (no measure word); here a figure in such a row becomes a quantity when its
column header says what unit it is in. Nothing is guessed from a row alone: a
block needs a header line of its own, and a figure whose header names no unit
stays unclaimed. Offsets are into the normalized text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from extract.paths import RULES_DIR
from extract.stages.numbers import NumberError, parse_number
from extract.stages.quantities import Quantity
from extract.stages.rules import Rule, RuleError, Yields, load_yaml
from extract.stages.segment import trim_span

# The rule id a table figure's claim carries (claims.rule_id).
GRID_RULE = Rule(id="grid.cell", description="a bare figure in a table row; its column header names the unit",
                 priority=0, yields=Yields(), regex=None, source="rules/grids.yaml", line=0)

_NUMBER = regex.compile(r"(?P<q>[约近])?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<mag>万|亿)?(?P<plus>\+)?%?")
_QUALIFIER = {"约": "approx", "近": "approx"}
_YEAR_CELL = regex.compile(r"((?:19|20)\d{2})(?:\s*[/-]\s*\d{2,4})?(?:年度?|学年)?")
_YEAR_IN = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|学年|\s*[/-]\s*\d{2}\s*(?:学年|年度))")
_PROSE = regex.compile(r"[,。;:!?、]")
_RULE_LINE = regex.compile(r"^[\s|:\-—=+]+$")       # |---|---| separators
_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_CANONICAL = {"人": "人", "名": "人", "位": "人", "人次": "人次", "元": "元", "%": "%", "％": "%", "分": "分",
              "所": "所", "个": "个", "间": "间", "平方米": "平方米", "㎡": "平方米", "平米": "平方米",
              "班": "班", "台": "台", "套": "套", "册": "册", "项": "项", "门": "门", "节": "节"}


@dataclass(frozen=True)
class GridCell:
    start: int
    end: int
    value: float
    unit: str
    header: str                 # the column header, without its bracketed unit
    title: str                  # the line above the header (the table's caption), or ''
    year: int | None            # from the row's year cell, a year column header, or the title
    qualifier: str = "exact"    # 约12万 approx, 160+ lower_bound


@dataclass(frozen=True)
class _Line:
    start: int
    cells: list[tuple[int, int]]      # spans of the cells, in order


class GridReader:
    def __init__(self, rules_dir: Path = RULES_DIR):
        path = rules_dir / "grids.yaml"
        try:
            cues = load_yaml(path.read_text(encoding="utf-8"))
            self.bracket = regex.compile(cues["bracket_unit"])
            self.header_units = [(unit, regex.compile("|".join(map(regex.escape, words))))
                                 for unit, words in cues["header_units"].items()]
            self.year_headers = set(cues["year_headers"])
            self.max_cells = int(cues["max_cells"])
        except (regex.error, KeyError, TypeError, ValueError) as exc:
            raise RuleError(str(path), f"bad table cue: {exc!r}") from exc

    # ---- lines -> cells --------------------------------------------------------

    def _cells(self, text: str, s: int, e: int) -> list[tuple[int, int]] | None:
        line = text[s:e]
        if line.count("|") >= 2:
            out, pos = [], s
            for part in line.split("|"):
                a, b = trim_span(text, pos, pos + len(part))
                if b > a:
                    out.append((a, b))
                pos += len(part) + 1
        else:
            out = [(m.start() + s, m.end() + s) for m in regex.finditer(r"\S+", line)]
        if not 2 <= len(out) <= self.max_cells:
            return None
        return out

    def _lines(self, text: str):
        pos = 0
        while pos <= len(text):
            nl = text.find("\n", pos)
            nl = len(text) if nl < 0 else nl
            yield pos, nl
            pos = nl + 1

    def _is_number(self, text: str, s: int, e: int) -> bool:
        return _NUMBER.fullmatch(text, s, e) is not None

    # ---- the unit a header names -----------------------------------------------------

    def unit_of(self, header: str) -> tuple[str | None, float, str]:
        """(unit, magnitude, header without the bracket) for a column header."""
        m = self.bracket.search(header)
        if m:
            word, scale = m.group("unit").strip(), 1.0
            if len(word) > 1 and word[0] in _MAGNITUDE:
                scale, word = _MAGNITUDE[word[0]], word[1:]
            unit = _CANONICAL.get(word)
            return unit, scale, header[:m.start()].strip()
        unit = None
        for name, rx in self.header_units:
            if rx.search(header):
                unit = name
        return unit, 1.0, header.strip()

    # ---- blocks -------------------------------------------------------------------

    def find(self, text: str) -> list[GridCell]:
        lines = [(s, e) for s, e in self._lines(text)]
        out: list[GridCell] = []
        i = 0
        while i < len(lines):
            s, e = lines[i]
            header = self._cells(text, s, e) if not _PROSE.search(text, s, e) else None
            if not header or any(self._is_number(text, a, b) and not _YEAR_CELL.fullmatch(text, a, b)
                                 for a, b in header):
                i += 1
                continue
            rows, j = [], i + 1
            while j < len(lines):
                rs, re_ = lines[j]
                if _RULE_LINE.match(text, rs, re_) and re_ > rs:
                    j += 1
                    continue
                cells = self._cells(text, rs, re_) if not _PROSE.search(text, rs, re_) else None
                if not cells or len(cells) != len(header) or not any(self._is_number(text, a, b) for a, b in cells):
                    break
                rows.append(cells)
                j += 1
            if len(rows) >= 2:
                out += self._read(text, lines, i, header, rows)
                i = j
            else:
                i += 1
        return out

    def _read(self, text, lines, header_at, header, rows) -> list[GridCell]:
        names = [text[a:b] for a, b in header]
        title = ""
        for k in range(header_at - 1, max(-1, header_at - 3), -1):
            s, e = lines[k]
            if text[s:e].strip():
                title = text[s:e].strip() if e - s <= 80 and "。" not in text[s:e] else ""
                break
        m = _YEAR_IN.search(title)
        title_year = int(m.group(1)) if m else None
        year_col = next((k for k, n in enumerate(names) if n.strip() in self.year_headers), None)
        units = [self.unit_of(n) for n in names]
        out = []
        for cells in rows:
            row_year = None
            if year_col is not None:
                ym = _YEAR_CELL.fullmatch(text, *cells[year_col])
                row_year = int(ym.group(1)) if ym else None
            for k, (a, b) in enumerate(cells):
                if k == year_col or not self._is_number(text, a, b):
                    continue
                unit, scale, head = units[k]
                if unit is None and k > 0 and not self._is_number(text, *cells[0]):
                    # a table turned on its side (项目 | 数据 / 学校总数(所) | 160+): the row's
                    # label names what is counted and its unit
                    unit, scale, head = self.unit_of(text[cells[0][0]:cells[0][1]])
                if unit is None:
                    continue
                col_year = _YEAR_IN.search(names[k])
                n = _NUMBER.fullmatch(text, a, b)
                try:
                    value = parse_number(n.group("num").replace(",", "")) * scale
                    if n.group("mag"):
                        value *= parse_number("1" + n.group("mag"))
                except NumberError:
                    continue
                qualifier = "lower_bound" if n.group("plus") else _QUALIFIER.get(n.group("q") or "", "exact")
                year = row_year or (int(col_year.group(1)) if col_year else None) or title_year
                out.append(GridCell(a, b, value, unit, head, title, year, qualifier))
        return out


def with_grid_cells(quantities: list[Quantity], cells: list[GridCell]) -> tuple[list[Quantity], dict]:
    """The rule quantities plus a quantity for each table figure no rule claimed;
    and the table cell behind each quantity that sits in one, by start offset."""
    taken = {i for q in quantities for i in range(q.start, q.end)}
    added = [Quantity(c.start, c.end, GRID_RULE, value=c.value, unit=c.unit, qualifier=c.qualifier)
             for c in cells if not any(i in taken for i in range(c.start, c.end))]
    by_start = {c.start: c for c in cells}
    in_cells = {q.start: by_start[q.start] for q in quantities + added
                if q.start in by_start and by_start[q.start].end == q.end}
    return sorted(quantities + added, key=lambda q: q.start), in_cells
