"""Where the shipped rule pack and gazetteer live.

In a source checkout or an editable install they are the repo's top-level
`rules/` and `data/`; a regular install puts the same files under
`<prefix>/share/extract/` (pyproject's data-files).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def _root() -> Path:
    here = Path(__file__).resolve()
    candidates = [here.parents[2],                          # checkout: src/extract/paths.py
                  here.parents[4] / "share" / "extract",    # <prefix>/lib/pythonX.Y/site-packages/extract
                  Path(sys.prefix) / "share" / "extract"]
    return next((c for c in candidates if (c / "rules" / "vocabulary.yaml").exists()), candidates[0])


ROOT = _root()
RULES_DIR = ROOT / "rules"
DATA_DIR = ROOT / "data"


def cache_dir() -> Path:
    """Where derived data that only speeds start-up is kept ($EXTRACT_CACHE_DIR,
    else $XDG_CACHE_HOME/extract, else ~/.cache/extract); deleting it is always safe."""
    given = os.environ.get("EXTRACT_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "extract"
