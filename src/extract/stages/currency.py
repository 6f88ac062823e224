"""The currency of an amount in 元 (claims.currency, ISO 4217).

The guideline stores every amount of money in 元, whatever the currency, so a
Hong Kong budget's 3亿港元 and a mainland city's 3亿元 share a unit. The
currency says which is which: a currency word written with the figure decides
(3亿港元, 人民币5000万元, 29亿元澳门币, 6.5亿(澳门元)); a text that declares one for
what follows (港元,下同) gives it to the later figures that name none; any other
amount is in the currency of its text's home region (HKD in Hong Kong texts, MOP
in Macau texts), else CNY. The words and homes are data: `currencies` in
rules/vocabulary.yaml.
"""
from __future__ import annotations

import bisect

import regex

from extract.stages.gazetteer import Region
from extract.stages.rules import Currencies, alternation

MONEY_UNIT = "元"
# how far before a figure its currency word may stand (人民币约, 澳门元 + the figure)
_BEFORE = 6


class CurrencyReader:
    def __init__(self, currencies: Currencies):
        self.words = currencies.words
        self.home = sorted(currencies.home.items(), key=lambda kv: -len(kv[0]))   # deepest path first
        self.default = currencies.default
        words = alternation(currencies.words)
        self._inside = regex.compile(words)
        # right before the figure: the word, then at most 约/为/: (人民币约3亿, 金额为澳门元1,700元)
        self._before = regex.compile(f"({words})[为是约近:]?$")
        # right after it: 29亿元澳门币, 6.5亿(澳门元)
        self._after = regex.compile(f"\\(?({words})")
        # (港元,下同) / (澳门元,下同): the currency of every later figure naming none
        self._same_below = regex.compile(f"\\(({words})[,;]?下同")

    def declared(self, text: str) -> list[tuple[int, str]]:
        """(offset, currency) of each 下同 declaration in the text, in order."""
        return [(m.start(), self.words[m.group(1)]) for m in self._same_below.finditer(text)]

    def currency_of(self, text: str, start: int, end: int, unit: str, home: Region | None,
                    declared: list[tuple[int, str]] = ()) -> str | None:
        """The ISO 4217 code of the amount text[start:end] (normalized text), None unless in 元."""
        if unit != MONEY_UNIT:
            return None
        m = (self._inside.search(text, start, end) or self._after.match(text, end)
             or self._before.search(text, max(0, start - _BEFORE), start))
        if m is not None:
            return self.words[m.group(1) if m.re is not self._inside else m.group()]
        i = bisect.bisect_right(declared, (start, "\uffff")) - 1
        if i >= 0:
            return declared[i][1]
        path = home.path if home is not None else ""
        return next((code for prefix, code in self.home if path.startswith(prefix)), self.default)
