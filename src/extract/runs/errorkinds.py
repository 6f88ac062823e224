"""The end-of-run summary of the errors table: each kind of problem with its
count, one example and the fix.

The kinds are recognised from an errors row's stage and reason (the reasons
are written by inputs/ and runs/: a LoadError's or TableError's reason code
first, then the message).  A row of no known kind is counted as `other`,
never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# (kind, severity-independent pattern on "stage: reason", what it is, the fix), first match wins.
KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("no_text_column", r"^load: no_text_column:", "a table with none of the text columns",
     "name the column that holds the article text: --text-column NAME, or text = \"NAME\" under [columns] "
     "in extract.toml"),
    ("too_large", r"^load: too_large:|^load: .* row \d+: text is [\d,]+ bytes", "over the --max-bytes limit",
     "raise the limit: --max-bytes N, or max_bytes = N in extract.toml"),
    ("undecodable", r"^load: undecodable:", "no text encoding fits the file",
     "convert the file to UTF-8 (e.g. iconv -f GB18030 -t UTF-8), or replace the damaged copy"),
    ("binary", r"^load: binary:", "not a text file",
     "remove it from the input folder, or save it as text (.txt) first"),
    ("empty_file", r"^load: empty:", "an empty file or page",
     "remove the file, or save the page again with its article text"),
    ("unreadable", r"^load: unreadable:|^load: cannot read folder", "a file or folder that cannot be read",
     "check its permissions (ls -l) and that it is a valid file of its format"),
    ("html_no_text", r"^load: unparseable:", "a web page without a main text",
     "save the article's own page (not an index or a login page), or its text as .txt"),
    ("row_without_text", r"^load: .* row \d+: (no text|empty text|text is not a string)",
     "a table row with no usable text", "check that --text-column names the column of the article text; "
     "rows with an empty text cell are no articles"),
    ("row_not_json", r"^load: .* row \d+: line \d+ is (not JSON|a JSON)", "a JSON Lines line that is no object",
     "fix the line: each line of a .jsonl file must be one JSON object"),
    ("duplicate_key", r"^load: .*duplicate article key", "two rows with the same article key",
     "give each row a unique id (--id-column NAME), or remove the repeated row"),
    ("bad_date", r"^load: .* row \d+: .*extracted without a given date", "an unparseable date in a table row",
     "check --date-column names the publication date; write dates as YYYY-MM-DD"),
    ("replaced_bytes", r"^load: decoded as .* replaced by U\+FFFD", "undecodable bytes replaced while decoding",
     "check the file for damage: claims next to the replaced bytes may be wrong"),
    ("over_budget", r"^extract: .*over the time budget", "an article over the time budget",
     "raise the budget: --budget SECONDS (0 = no limit), or budget = SECONDS in extract.toml"),
    ("slow_rule", r"^extract: .*rule \S+ took more than", "a rule's pattern too slow for an article",
     "make the named rule's regex cheaper (extract rules test --rules DIR checks it)"),
    ("dropped_claim", r"^extract: (.* row \d+: )?claim .* dropped: rule", "a claim dropped: its rule gave an invalid value",
     "fix the named rule's value or unit (extract explain TEXT shows what it gives)"),
    ("not_an_article", r"^skip: not an article", "a file of no article format, skipped",
     "nothing to do unless it is an article: rename it to .txt/.md/.html/.jsonl/.csv/.parquet"),
    ("symlink", r"^skip: (symbolic link|broken symbolic link)", "a symbolic link not followed",
     "pass --follow-symlinks (or follow_symlinks = true in extract.toml) to read links out of the input folder"),
    ("stage_failed", r"^extract: (.* row \d+: )?[A-Za-z_.]*(Error|Exception)\b", "a stage failed on an article (a bug)",
     "report it with the article: `extract explain FILE` reproduces it"),
)
_COMPILED = tuple((kind, re.compile(pat), what, fix) for kind, pat, what, fix in KINDS)
OTHER = ("other", "other problems", "read the reason in errors.parquet")


@dataclass
class Kind:
    kind: str
    severity: str      # error | warning
    what: str
    fix: str
    count: int = 0
    example: str = ""  # "path: reason" of the first row of this kind


def classify(stage: str, reason: str) -> tuple[str, str, str]:
    """(kind, what it is, the fix) of one errors row."""
    line = f"{stage}: {reason}"
    for kind, pattern, what, fix in _COMPILED:
        if pattern.search(line):
            return kind, what, fix
    return OTHER


def kinds_of(rows) -> list[Kind]:
    """Kinds of the errors rows (dicts with path, stage, reason, severity):
    errors first, then warnings, most frequent first."""
    found: dict[tuple[str, str], Kind] = {}
    for r in rows:
        kind, what, fix = classify(r["stage"], r["reason"])
        k = found.get((r["severity"], kind))
        if k is None:
            k = found[(r["severity"], kind)] = Kind(kind, r["severity"], what, fix,
                                                    example=f"{r['path']}: {r['reason']}")
        k.count += 1
    return sorted(found.values(), key=lambda k: (k.severity != "error", -k.count, k.kind))


def read_kinds(out_dir: Path) -> list[Kind]:
    """Kinds of the rows of OUT/errors.parquet, read a row group at a time."""
    import pyarrow.parquet as pq

    path = Path(out_dir) / "errors.parquet"
    if not path.is_file():
        return []

    def rows():
        with pq.ParquetFile(path) as f:
            for batch in f.iter_batches(columns=["path", "stage", "reason", "severity"]):
                yield from batch.to_pylist()
    return kinds_of(rows())


def format_kinds(kinds: list[Kind], width: int = 160) -> str:
    """Lines for the console: per kind its count, what it is, an example and the fix."""
    lines = []
    for k in kinds:
        example = k.example if len(k.example) <= width else k.example[:width - 1] + "…"
        lines.append(f"{k.severity} {k.kind} ×{k.count}: {k.what}")
        lines.append(f"    e.g. {example}")
        lines.append(f"    fix: {k.fix}")
    return "\n".join(lines)
