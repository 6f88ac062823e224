"""A corpus configuration: `extract.toml`, or `[tool.extract]` in
`pyproject.toml`, in the working folder (or the file given with
`extract --config FILE`).

    input = "articles"             # INPUT_DIR of run and coverage
    out = "out"                    # --out of run, explain, query, evaluate; OUT_DIR of report
    rules = ["my_rules"]           # --rules of every command (a string or a list)
    workers = 2                    # -j
    budget = 120                   # --budget (seconds per article; 0 = no limit)
    max_bytes = 20000000           # --max-bytes
    follow_symlinks = false        # --follow-symlinks
    skip_tables_without_text = false   # --skip-tables-without-text

    [columns]                      # --text-column ... --id-column of run, explain, coverage
    text = ["正文", "内容"]         # a list, or one string "正文|内容"
    title = "标题"
    date = ["发布时间"]
    url = "链接"
    id = "编号"

Paths are relative to the file's folder.  Every value is a default: a flag
on the command line overrides it.  Unknown keys and values of the wrong type
are errors (a misspelt key would otherwise be silently ignored).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

if sys.version_info >= (3, 11):
    import tomllib
else:   # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAME = "extract.toml"
PYPROJECT = "pyproject.toml"
COLUMN_FIELDS = ("text", "title", "date", "url", "id")
_KEYS = ("input", "out", "rules", "workers", "budget", "max_bytes", "follow_symlinks",
         "skip_tables_without_text", "columns")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None                 # the file read (None: no configuration)
    input: Path | None = None
    out: Path | None = None
    rules: tuple[Path, ...] = ()
    workers: int | None = None
    budget: float | None = None
    max_bytes: int | None = None
    follow_symlinks: bool | None = None
    skip_tables_without_text: bool | None = None
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        if self.path is None:
            return "no configuration"
        return f"{self.path} [tool.extract]" if self.path.name == PYPROJECT else str(self.path)

    def default_map(self) -> dict:
        """click's default_map: per command, its parameters' defaults from this file."""
        cols = {f"{k}_column": "|".join(v) for k, v in self.columns.items()}
        rules = {"user_rules": [str(p) for p in self.rules]} if self.rules else {}
        out = {"out_dir": str(self.out)} if self.out is not None else {}
        inp = {"input_dir": str(self.input)} if self.input is not None else {}
        run = {**inp, **out, **rules, **cols}
        for key, param in (("workers", "workers"), ("budget", "budget_s"), ("max_bytes", "max_bytes"),
                           ("follow_symlinks", "follow_symlinks"),
                           ("skip_tables_without_text", "skip_tables_without_text")):
            if getattr(self, key) is not None:
                run[param] = getattr(self, key)
        explain = {**rules, **cols, **({"out": str(self.out)} if self.out is not None else {})}
        if self.max_bytes is not None:
            explain["max_bytes"] = self.max_bytes
        coverage = {**inp, **rules, **cols}
        if self.max_bytes is not None:
            coverage["max_bytes"] = self.max_bytes
        return {"run": run, "explain": explain, "coverage": coverage, "rules": {"test": dict(rules)},
                "query": dict(out), "report": dict(out),
                "evaluate": {"out": str(self.out)} if self.out is not None else {}}


def find(cwd: Path | None = None) -> Path | None:
    """extract.toml in `cwd`, else its pyproject.toml when that has [tool.extract]."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    own = cwd / FILE_NAME
    if own.is_file():
        return own
    pyproject = cwd / PYPROJECT
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None   # a broken pyproject.toml is not ours to judge unless it has our table
        if isinstance(data.get("tool"), dict) and "extract" in data["tool"]:
            return pyproject
    return None


def load(path: Path | None = None, cwd: Path | None = None) -> Config:
    """The configuration in `path` (or the one `find` finds; none: an empty Config)."""
    if path is None:
        path = find(cwd)
        if path is None:
            return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    where = str(path)
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("extract")
        where = f"{path} [tool.extract]"
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: no [tool.extract] table")
    return _parse(data, path.resolve().parent, path, where)


def _parse(data: dict, base: Path, path: Path, where: str) -> Config:
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(map(repr, unknown))} (known: {', '.join(_KEYS)})")

    def fail(key: str, want: str):
        raise ConfigError(f"{where}: {key} must be {want}, not {data[key]!r}")

    def a_path(key: str, value) -> Path:
        if not isinstance(value, str) or not value.strip():
            fail(key, "a path (a string)")
        return base / Path(value).expanduser()

    kw: dict = {}
    for key in ("input", "out"):
        if key in data:
            kw[key] = a_path(key, data[key])
    if "rules" in data:
        value = data["rules"]
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values:
            fail("rules", "a folder or a list of folders")
        kw["rules"] = tuple(a_path("rules", v) for v in values)
    if "workers" in data:
        if isinstance(data["workers"], bool) or not isinstance(data["workers"], int) or data["workers"] < 1:
            fail("workers", "a whole number of at least 1")
        kw["workers"] = data["workers"]
    if "budget" in data:
        if isinstance(data["budget"], bool) or not isinstance(data["budget"], (int, float)) or data["budget"] < 0:
            fail("budget", "a number of seconds, 0 or more (0 = no limit)")
        kw["budget"] = float(data["budget"])
    if "max_bytes" in data:
        if isinstance(data["max_bytes"], bool) or not isinstance(data["max_bytes"], int) or data["max_bytes"] < 1:
            fail("max_bytes", "a whole number of bytes")
        kw["max_bytes"] = data["max_bytes"]
    for key in ("follow_symlinks", "skip_tables_without_text"):
        if key in data:
            if not isinstance(data[key], bool):
                fail(key, "true or false")
            kw[key] = data[key]
    if "columns" in data:
        cols = data["columns"]
        if not isinstance(cols, dict):
            fail("columns", f"a table ([columns] with keys {', '.join(COLUMN_FIELDS)})")
        bad = sorted(set(cols) - set(COLUMN_FIELDS))
        if bad:
            raise ConfigError(f"{where}: unknown key{'s' if len(bad) > 1 else ''} "
                              f"{', '.join(repr(f'columns.{b}') for b in bad)} (known: {', '.join(COLUMN_FIELDS)})")
        parsed = {}
        for name, value in cols.items():
            names = value.split("|") if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(f"{where}: columns.{name} must be a column name or a list of names, "
                                  f"not {value!r}")
            names = tuple(n.strip() for n in names if n.strip())
            if not names:
                raise ConfigError(f"{where}: columns.{name} names no column")
            parsed[name] = names
        kw["columns"] = parsed
    return Config(path=path, **kw)


# -- the column options, shared by run, explain and coverage --------------------------------

def column_options(f):
    """--text-column ... --id-column: which table columns hold an article's text and metadata."""
    for name, what, default in reversed((
            ("text", "holding the article text, tried in order", "text|content|body|正文|内容"),
            ("title", "of the title", "title|标题"),
            ("date", "of the publication date", "published|date|publish_time|pubdate|发布时间|日期"),
            ("url", "of the URL", "url|link|链接|网址"),
            ("id", "of the id, the article key", "id"))):
        f = click.option(f"--{name}-column", default=None, metavar="NAMES",
                         help=f"Table column(s) {what} [{default}]")(f)
    return f


def columns_from(text=None, title=None, date=None, url=None, id=None):
    """Columns from the column options (NAMES as a|b|c); a field not given keeps its defaults."""
    from extract.inputs.tables import Columns

    given = {"text": text, "title": title, "date": date, "url": url, "id": id}
    return Columns(**{k: tuple(n.strip() for n in v.split("|") if n.strip()) for k, v in given.items() if v})


def load_rules_or_fail(user_rules):
    """The shipped rules with the --rules folders, or a click error naming the broken file."""
    from extract.stages.rules import RuleError, load_rules

    try:
        return load_rules(list(user_rules))
    except RuleError as exc:
        raise click.ClickException(f"broken rule file: {exc}") from exc
