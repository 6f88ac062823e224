"""The extractor version written into every row, computed without loading the
pipeline (the main process of a parallel run only needs this, not the pipeline)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from extract import __version__
from extract.paths import DATA_DIR, RULES_DIR
from extract.stages.rules import RuleSet

# The modules whose code decides what a claim row says (not the CLI, report, runner).
_STAGES = ("models", "pipeline", "paths", "stages/*",
           # what text and given metadata a file, page or table row yields
           "inputs/*")


def extractor_version(rules: RuleSet) -> str:
    """Written into every row: package version, rule-pack hash, code/data hash."""
    return f"{__version__}+rules.{rules.digest}.code.{_code_digest()}"


def _code_digest() -> str:
    """Hash of everything besides the rule pack that shapes the output: the
    package's code, the cue and segment files, the gazetteer. An incremental
    run re-processes everything when any of it changes."""
    package = Path(__file__).resolve().parent
    files = ([f for stage in _STAGES for f in sorted(package.glob(f"{stage}.py"))]
             + sorted(RULES_DIR.glob("*.yaml")) + sorted(DATA_DIR.glob("*.tsv")))
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]
