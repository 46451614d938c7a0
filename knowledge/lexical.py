"""BM25 over the indexed units, one BM25 model per language."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.index import Unit
from knowledge.schema import LANGS
from knowledge.text import tokens


class LexicalIndex:
    """Scores every unit against a query; units of other languages score 0.

    Args:
        units: the indexed units, in index order.
    """

    def __init__(self, units: Sequence[Unit]) -> None:
        self.size = len(units)
        self._rows: dict[str, np.ndarray] = {}
        self._bm25: dict[str, BM25Okapi] = {}
        for lang in LANGS:
            rows = [i for i, u in enumerate(units) if u.lang == lang]
            if rows:
                self._rows[lang] = np.array(rows)
                self._bm25[lang] = BM25Okapi([tokens(units[i].text, lang) or ["_"] for i in rows])

    def scores(self, text: str, lang: str) -> np.ndarray:
        """BM25 score of every unit for ``text`` read as ``lang``."""
        out = np.zeros(self.size, dtype=np.float32)
        query = tokens(text, lang)
        if query and lang in self._bm25:
            out[self._rows[lang]] = self._bm25[lang].get_scores(query)
        return out
