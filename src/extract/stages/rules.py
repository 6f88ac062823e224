"""Rule packs: vocabulary + grammar YAML files, validated and compiled once.

A rules folder holds `vocabulary.yaml` (word lists and maps), the cue files
(`categories.yaml`, `attribution.yaml`, `context.yaml`: see cue_schemas.py) and
any number of grammar files (every other `*.yaml` with a `rules:` list). A user
folder's vocabulary and cue files are merged into the shipped ones; a file in a
user folder that nothing would read is an error. Patterns reference
fragments as {name}: a grammar file's own `fragments`, or one generated from
the vocabulary ({unit}, {prefix_qualifier} ...). Everything is checked at load;
a problem raises RuleError naming the file, line, rule and what is wrong.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import regex
import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from extract.models import Category, Kind, Qualifier
from extract.paths import RULES_DIR
from extract.stages.cue_schemas import CUE_SCHEMAS

SHIPPED_RULES = RULES_DIR
VOCABULARY_FILE = "vocabulary.yaml"
CUE_FILES = tuple(CUE_SCHEMAS)
# read from the shipped rules only: page layout, entity patterns, table layout
SHIPPED_ONLY_FILES = ("segment.yaml", "entities.yaml", "grids.yaml")
NON_GRAMMAR_FILES = {VOCABULARY_FILE, *CUE_FILES, *SHIPPED_ONLY_FILES}
# A list in a user's cue file whose entries go before the shipped ones: category
# rules are tried in order and the first that applies decides.
_USER_FIRST = {("categories.yaml", "rules")}
_REF = regex.compile(r"\{([a-z_]+)\}")
# The guideline's canonical units; any other unit a rule or vocabulary entry
# names must be a measure word of the vocabulary (所, 个 ... or a user's own).
CANONICAL_UNITS = frozenset({"%", "百分点", "人", "人次", "元", "平方米", "ratio", ""})


class RuleError(Exception):
    """A broken rule, vocabulary or cue file: `rule_id` names the rule, or for a cue
    file the entry (target_cues, rules.0.category), as `what` says."""

    def __init__(self, file: str, problem: str, rule_id: str | None = None, line: int | None = None,
                 what: str = "rule"):
        self.file, self.problem, self.rule_id, self.line = file, problem, rule_id, line
        where = file + (f":{line}" if line else "") + (f" {what} {rule_id}" if rule_id else "")
        super().__init__(f"{where}: {problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Yields(_Strict):
    # the controlled vocabularies of the claims table (models.py), so a rule cannot
    # make every claim it matches fail validation at run time
    unit: Optional[str] = None
    category: Optional[Category] = None
    kind: Optional[Kind] = None
    qualifier: Optional[Qualifier] = None
    target: Optional[bool] = None
    value: Optional[float] = None
    parse: Optional[Literal["cheng", "fraction", "ratio", "doubling", "sum"]] = None
    exclude: bool = False


class Expect(_Strict):
    text: Optional[str] = None
    value: Optional[float] = None
    value_max: Optional[float] = None
    unit: Optional[str] = None
    qualifier: Optional[Qualifier] = None
    kind: Optional[Kind] = None
    category: Optional[Category] = None


class Example(_Strict):
    text: str
    expect: Expect


class RuleSpec(_Strict):
    id: str
    description: str
    pattern: str
    priority: int = 40
    yields: Yields = Yields()
    examples: list[Example] = []
    counter_examples: list[str] = []


class GrammarFile(_Strict):
    fragments: dict[str, str] = {}
    rules: list[RuleSpec]


class UnitEntry(_Strict):
    unit: Optional[str] = None
    category: Optional[Category] = None
    not_before: str = ""


class Qualifiers(_Strict):
    prefix: dict[str, str]
    suffix: dict[str, str]
    trailing: dict[str, str]


# ISO 4217: CNY, HKD, MOP, USD, TWD ...
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Currencies(_Strict):
    """Which currency an amount in 元 is in: a word written with it, else its text's home."""
    words: dict[str, CurrencyCode] = {}      # 港元: HKD; before, in or right after the figure
    home: dict[str, CurrencyCode] = {}       # region path -> currency of texts at home there
    default: CurrencyCode = "CNY"            # any other home, or none


class Vocabulary(_Strict):
    units: dict[str, UnitEntry]
    noun_units: dict[str, UnitEntry] = {}
    people_nouns: list[str] = []
    money_nouns: list[str] = []
    magnitudes: list[str]
    qualifiers: Qualifiers
    rhetorical_nouns: list[str] = []
    rhetorical_heads: list[str] = []
    fixed_phrases: list[str] = []
    currencies: Currencies = Currencies()


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    priority: int
    yields: Yields
    regex: Any
    source: str          # file the rule came from
    line: int
    examples: tuple[Example, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @property
    def exclude(self) -> bool:
        return self.yields.exclude


@dataclass
class RuleSet:
    vocabulary: Vocabulary
    rules: list[Rule]
    digest: str                                 # content hash of every file read
    overridden: list[str] = field(default_factory=list)   # "id: user file replaces shipped file"
    # cue file name -> its data, the user folders' merged into the shipped file's
    cues: dict[str, dict] = field(default_factory=dict)

    def unit_of(self, word: str) -> UnitEntry | None:
        return self.vocabulary.units.get(word) or self.vocabulary.noun_units.get(word)

    def qualifier_of(self, word: str, position: str) -> str:
        return getattr(self.vocabulary.qualifiers, position).get(word, "exact")


def alternation(words, not_before: dict[str, str] | None = None) -> str:
    """Longest-first alternation of literal words (人次 wins over 人), with per-word
    guards; a never-matching pattern when there are no words."""
    parts = []
    for w in sorted(words, key=len, reverse=True):
        guard = (not_before or {}).get(w, "")
        parts.append(regex.escape(w) + (f"(?![{regex.escape(guard)}])" if guard else ""))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def vocabulary_fragments(vocab: Vocabulary) -> dict[str, str]:
    return {
        "unit": alternation(vocab.units, {w: e.not_before for w, e in vocab.units.items()}),
        "noun_unit": alternation(vocab.noun_units, {w: e.not_before for w, e in vocab.noun_units.items()}),
        "people_noun": alternation(vocab.people_nouns),
        "money_noun": alternation(vocab.money_nouns),
        "magnitude": alternation(vocab.magnitudes),
        "prefix_qualifier": alternation(vocab.qualifiers.prefix),
        "suffix_qualifier": alternation(vocab.qualifiers.suffix),
        "trailing_qualifier": alternation(vocab.qualifiers.trailing),
        "rhetorical_noun": alternation(vocab.rhetorical_nouns),
        "rhetorical_head": alternation(vocab.rhetorical_heads),
        "fixed_phrase": alternation(vocab.fixed_phrases),
        "currency": alternation(vocab.currencies.words),
    }


def expand(pattern: str, fragments: dict[str, str], file: str, rule_id: str | None, line: int | None,
           depth: int = 0) -> str:
    if depth > 10:
        raise RuleError(file, "fragment references nest too deep (a cycle?)", rule_id, line)

    def sub(m):
        name = m.group(1)
        if name not in fragments:
            raise RuleError(file, f"unknown fragment {{{name}}}; known: {', '.join(sorted(fragments))}",
                            rule_id, line)
        return expand(fragments[name], fragments, file, rule_id, line, depth + 1)
    return _REF.sub(sub, pattern)


# libyaml's safe loader when PyYAML was built with it: same documents, a fraction
# of the start-up time of every worker.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Rule and cue files are untrusted input: only plain data, never Python objects."""
    return yaml.load(text, Loader=SafeLoader)


def _read_yaml(path: Path) -> tuple[Any, Any]:
    """(data, node) with a safe loader; node gives line numbers."""
    text = path.read_text(encoding="utf-8")
    try:
        return load_yaml(text), yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(str(path), f"bad YAML: {getattr(exc, 'problem', exc)}",
                        line=mark.line + 1 if mark else None) from exc


def _rule_lines(node) -> list[int]:
    if node is None or not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _validation_problem(exc: ValidationError) -> tuple[str, list]:
    err = exc.errors()[0]
    got = f" (got {err['input']!r})" if err["type"] not in ("missing", "extra_forbidden") \
        and not isinstance(err.get("input"), (dict, list)) else ""
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}{got}", list(err["loc"])


def load_vocabulary(folders: list[Path]) -> tuple[Vocabulary, list[bytes]]:
    """Merge vocabularies: later folders add words and override entries."""
    merged: dict[str, Any] = {}
    blobs = []
    defined_in: dict[tuple[str, str], str] = {}   # (units|noun_units, word) -> file, for messages
    for folder in folders:
        path = folder / VOCABULARY_FILE
        if not path.exists():
            continue
        data, _ = _read_yaml(path)
        blobs.append(path.read_bytes())
        _check_entries(path, data, defined_in)
        for key, value in (data or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge(merged[key], value)
            elif isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + [v for v in value if v not in merged[key]]
            else:
                merged[key] = value
    try:
        vocab = Vocabulary.model_validate(merged)
    except ValidationError as exc:
        problem, _ = _validation_problem(exc)
        raise RuleError(" + ".join(str(f / VOCABULARY_FILE) for f in folders), problem) from exc
    known = known_units(vocab)
    for (section, word), file in defined_in.items():
        entry = getattr(vocab, section).get(word)
        if entry is not None and entry.unit is not None and entry.unit not in known:
            raise RuleError(file, _unit_problem(entry.unit), f"{section}.{word}")
    return vocab, blobs


def known_units(vocab: Vocabulary) -> set[str]:
    """Units a rule or vocabulary entry may name: canonical ones and the vocabulary's measure words."""
    return set(CANONICAL_UNITS) | set(vocab.units) | set(vocab.noun_units)


def _unit_problem(unit: str) -> str:
    return (f"unit {unit!r} is neither a canonical unit ({', '.join(repr(u) for u in sorted(CANONICAL_UNITS))}) "
            f"nor a measure word of the vocabulary (add it under `units:` in vocabulary.yaml)")


def _check_entries(path: Path, data: Any, defined_in: dict[tuple[str, str], str]) -> None:
    """Each units / noun_units entry of one vocabulary file, so an error names its file and word."""
    if not isinstance(data, dict):
        return
    if "currencies" in data:
        try:
            Currencies.model_validate(data["currencies"] if data["currencies"] is not None else {})
        except ValidationError as exc:
            problem, loc = _validation_problem(exc)
            entry = ".".join(["currencies", *map(str, loc)])
            problem = problem.removeprefix(f"{entry[len('currencies.'):]}: ")
            if "pattern" in problem:
                problem += ": a currency is an ISO 4217 code (CNY, HKD, MOP, USD, TWD …)"
            raise RuleError(str(path), problem, entry, what="entry") from exc
    for section in ("units", "noun_units"):
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for word, entry in entries.items():
            try:
                UnitEntry.model_validate(entry or {})
            except ValidationError as exc:
                problem, _ = _validation_problem(exc)
                raise RuleError(str(path), f"{section}.{word}.{problem}", f"{section}.{word}") from exc
            defined_in[(section, str(word))] = str(path)


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def grammar_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name not in NON_GRAMMAR_FILES)


def load_rules(user_folders: list[Path] | None = None, shipped: Path = SHIPPED_RULES) -> RuleSet:
    """Shipped rules, then each user folder; a user rule with a shipped id replaces it."""
    folders = [shipped, *(user_folders or [])]
    for folder in folders:
        if not folder.is_dir():
            raise RuleError(str(folder), "rules folder does not exist")
    for folder in user_folders or []:
        check_all_read(folder)
    vocab, blobs = load_vocabulary(folders)
    vocab_fragments = vocabulary_fragments(vocab)
    units = known_units(vocab)
    cues, cue_blobs = load_cues(folders[1:], shipped)
    blobs += cue_blobs      # the shipped cue files are in the code digest (version.py)
    by_id: dict[str, Rule] = {}
    overridden = []
    for folder in folders:
        for path in grammar_files(folder):
            blobs.append(path.read_bytes())
            for rule in _compile_file(path, vocab_fragments, units):
                if rule.id in by_id:
                    previous = by_id[rule.id]
                    if previous.source == rule.source:
                        raise RuleError(rule.source, "duplicate rule id", rule.id, rule.line)
                    overridden.append(f"{rule.id}: {rule.source} replaces {previous.source}")
                by_id[rule.id] = rule
    digest = hashlib.sha256(b"\0".join(blobs)).hexdigest()[:12]
    return RuleSet(vocab, list(by_id.values()), digest, overridden, cues)


# -- what a user folder holds ----------------------------------------------------------------

def check_all_read(folder: Path) -> None:
    """Every file of a user rules folder is read, or the load fails naming it: a
    categories.yaml that was silently ignored cost an analyst a day. Hidden files
    and Markdown notes (README.md) are for people and pass."""
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or (path.is_file() and path.suffix.lower() == ".md"):
            continue
        if path.is_dir():
            problem = "a folder inside a rules folder is not read (give it as a --rules folder of its own)"
        elif name in SHIPPED_ONLY_FILES:
            problem = (f"not read: {name} comes from the shipped rules only; a rules folder may hold "
                       f"{VOCABULARY_FILE}, {', '.join(CUE_FILES)} and grammar files (*.yaml with a rules: list)")
        elif path.suffix.lower() != ".yaml":
            hint = f" (rename it {path.stem}.yaml)" if path.suffix.lower() == ".yml" else ""
            problem = f"not read: only *.yaml files of a rules folder are read{hint}"
        else:
            continue
        raise RuleError(str(path), problem)


# -- cue files: categories, attribution (place, time, change, target), context ---------------

def load_cues(user_folders: list[Path], shipped: Path = SHIPPED_RULES) -> tuple[dict[str, dict], list[bytes]]:
    """Each cue file: the shipped one, with each user folder's merged in (see `merge_cues`).
    Every file is checked against its schema (cue_schemas.py), so a broken entry is
    named with its file, line and key before any article is read. Returns the merged
    data and the user files' bytes (for the rules digest)."""
    cues: dict[str, dict] = {}
    blobs: list[bytes] = []
    for name in CUE_FILES:
        merged: dict = {}
        for folder in [shipped, *user_folders]:
            path = folder / name
            if not path.exists():
                continue
            data, node = _read_yaml(path)
            _check_cues(path, name, data, node, user=folder is not shipped)
            if folder is not shipped:
                blobs.append(path.read_bytes())
            merged = merge_cues(merged, data or {}, name)
        cues[name] = merged
    return cues, blobs


def merge_cues(shipped: dict, user: dict, file: str, _key: str = "") -> dict:
    """A user's cue file merged into the shipped one: mappings key by key, lists of
    words and patterns gain the user's entries (after the shipped ones; category
    rules before them, since the first rule that applies decides), and a single
    value (a pattern, a number) is replaced."""
    out = dict(shipped)
    for key, value in user.items():
        here = out.get(key)
        if isinstance(value, dict) and isinstance(here, dict):
            out[key] = merge_cues(here, value, file, key)
        elif isinstance(value, list) and isinstance(here, list):
            new = [v for v in value if v not in here]
            out[key] = new + here if (file, key) in _USER_FIRST and not _key else here + new
        else:
            out[key] = value
    return out


def _check_cues(path: Path, name: str, data: Any, node: Any, user: bool) -> None:
    if data is None:
        return
    try:
        cues = CUE_SCHEMAS[name].model_validate(data)
    except ValidationError as exc:
        problem, loc = _validation_problem(exc)
        entry = _entry(loc)
        problem = problem.removeprefix(f"{entry}: ").removeprefix("Value error, ")
        raise RuleError(str(path), problem, entry, _line_of(node, loc),
                        what="entry") from exc
    if user and name == "context.yaml" and cues.institutions:
        from extract.stages.gazetteer import Gazetteer   # only when a user names institutions
        gazetteer = Gazetteer.load()
        for word, region in cues.institutions.items():
            if gazetteer.by_path(region) is None:
                raise RuleError(str(path), f"{region!r} is no region of the gazetteer "
                                f"(write its full path, e.g. 澳门特别行政区, 辽宁省鞍山市)",
                                f"institutions.{word}", _line_of(node, ["institutions", word]), what="entry")


def _entry(loc: list) -> str | None:
    return ".".join(str(p) for p in loc) or None


def _line_of(node: Any, loc: list) -> int | None:
    """The line of the entry at `loc` (keys and list indices) in a composed YAML node."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def shipped_cues() -> dict[str, dict]:
    """The shipped cue files alone: for a stage built without a RuleSet (tests, notebooks)."""
    return load_cues([])[0]


def _compile_file(path: Path, vocab_fragments: dict[str, str], units: set[str]) -> list[Rule]:
    data, node = _read_yaml(path)
    lines = _rule_lines(node)
    file = str(path)
    if not isinstance(data, dict) or "rules" not in data:
        # target_cues in targets.yaml: no grammar file, and no cue file by its name either
        raise RuleError(file, f"not read: a grammar file needs a `rules:` list; cue entries go in "
                              f"{', '.join(CUE_FILES)}, words in {VOCABULARY_FILE} (see docs/rules.md)")
    try:
        grammar = GrammarFile.model_validate(data or {})
    except ValidationError as exc:
        problem, loc = _validation_problem(exc)
        rule_id = line = None
        if len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int):
            line = lines[loc[1]] if loc[1] < len(lines) else None
            raw = (data.get("rules") or [])[loc[1]]
            rule_id = raw.get("id") if isinstance(raw, dict) else None
        raise RuleError(file, problem, rule_id, line) from exc
    fragments = {**vocab_fragments, **grammar.fragments}
    rules = []
    for i, spec in enumerate(grammar.rules):
        line = lines[i] if i < len(lines) else None
        if spec.yields.unit is not None and spec.yields.unit not in units:
            raise RuleError(file, f"yields.{_unit_problem(spec.yields.unit)}", spec.id, line)
        source = expand(spec.pattern, fragments, file, spec.id, line)
        try:
            compiled = regex.compile(source, regex.V0)
        except regex.error as exc:
            raise RuleError(file, f"bad regex: {exc}", spec.id, line) from exc
        if not spec.yields.exclude and "num" not in compiled.groupindex and spec.yields.value is None:
            raise RuleError(file, "pattern has no (?P<num>...) group and yields no value", spec.id, line)
        rules.append(Rule(spec.id, spec.description, spec.priority, spec.yields, compiled, file, line or 0,
                          tuple(spec.examples), tuple(spec.counter_examples)))
    return rules
