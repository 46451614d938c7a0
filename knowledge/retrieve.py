"""Hybrid retrieval: dense (e5 + FAISS) fused with BM25, calibrated into a confidence.

A topic's dense score is its best unit's cosine; its lexical score its best unit's BM25
score in the query language, squashed to 0..1 by ``b / (b + k)``. The fused score
``w·dense + (1−w)·lexical`` and the margin to the best other topic go through a logistic
calibration fitted on the KB's own paraphrases (leave-one-out), so a confidence of 0.8
means "right about 80 % of the time" on that data, not an arbitrary cosine.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from knowledge import index as index_store
from knowledge.calibration import DENSE_POOL, Calibration, Scores, fit_fusion
from knowledge.config import RetrievalConfig
from knowledge.embedder import Embedder
from knowledge.langdetect import detect
from knowledge.langdetect import warm_up as warm_up_langdetect
from knowledge.lexical import LexicalIndex
from knowledge.loader import KnowledgeBase, UnsupportedLanguageError, entry_document_language, load_kb
from knowledge.notes import document_date, messages, notes_for
from knowledge.schema import LANGS, Entry, Lang
from knowledge.spelling import Speller
from knowledge.timeline import intro

log = logging.getLogger(__name__)
Status = Literal["answered", "clarify", "fallback"]
CALIBRATION_FILE = "calibration.json"
# Bump when scoring changes (tokens, fusion) so the saved calibration is refitted.
METHOD_VERSION = 10
DENSE_CANDIDATES = 256


@dataclass(frozen=True)
class Source:
    """Where an answer comes from."""

    document: str
    title: str
    date: str
    url: str | None
    section: str
    entry: str


@dataclass(frozen=True)
class Alternative:
    """Another topic the question may be about."""

    faq_id: str
    question: str
    confidence: float


@dataclass(frozen=True)
class Hit:
    """One ranked topic with its component scores."""

    faq_id: str
    confidence: float
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Answer:
    """The retrieval result for one question."""

    faq_id: str
    lang: Lang
    question: str
    answer: str
    confidence: float
    status: Status
    sources: list[Source]
    alternatives: list[Alternative]
    notes: list[str] = field(default_factory=list)
    intro: str | None = None
    """The answer's first line when it was written before an event that has happened since."""


class Retriever:
    """Answers questions from the KB. Heavy parts load in ``warm_up()``, once per process.

    Args:
        config: paths, model source and thresholds (checked when the config is made).
    """

    def __init__(self, config: RetrievalConfig) -> None:
        self.config = config
        self.embedder = Embedder(
            config.encoder_source, config.encoder_threads, config.encoder_engine, config.query_cache_size
        )
        self._lock = threading.Lock()
        self._ready = False
        self._ranking_observers: list[Callable[[float], None]] = []

    def observe_ranking(self, observer: Callable[[float], None]) -> None:
        """Call ``observer`` with the seconds every ranking took (once per observer).

        What each question costs is the delivery layer's metric; knowledge stays free of it.
        """
        if observer not in self._ranking_observers:
            self._ranking_observers.append(observer)

    def warm_up(self) -> None:
        """Load KB, encoder, index (building it if stale), BM25 and calibration."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.kb: KnowledgeBase = load_kb(self.config.kb_dir)
            self.embedder.warm_up()
            if not index_store.is_current(self.config, self.kb):
                index_store.build(self.config, self.embedder)
            loaded = index_store.load(self.config.index_dir)
            self._faiss = loaded.index
            self.units = loaded.units
            self.topics = sorted(self.kb.topics)
            self._pad = _topic_unit_matrix(self.topics, [u.topic for u in self.units])
            self.lexical = LexicalIndex(self.units)
            self.speller = Speller((u.text, u.lang) for u in self.units)
            self.calibration = self._calibration(loaded.vectors)
            warm_up_langdetect()
            self._ready = True

    def _calibration(self, vectors: np.ndarray) -> Calibration:
        path = self.config.index_dir / CALIBRATION_FILE
        digest = f"{self.kb.digest}-m{METHOD_VERSION}"
        if path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("kb_digest") == digest:
                return Calibration.from_dict(saved)
        calibration = fit_fusion(self, vectors)
        path.write_text(json.dumps({**calibration.to_dict(), "kb_digest": digest}, indent=2))
        log.info("retrieval: calibration fitted %s", calibration)
        return calibration

    # --- scoring -------------------------------------------------------------------------

    def topic_pool(self, unit_scores: np.ndarray, k: int = 1) -> np.ndarray:
        """Mean of the ``k`` best unit scores of each topic (``k=1``: the best).

        Works on one score vector (n_units,) or a batch (n, n_units).
        """
        padded = np.where(self._pad >= 0, unit_scores[..., self._pad], -np.inf)
        best = -np.partition(-padded, k - 1, axis=-1)[..., :k]
        return np.asarray(best.mean(axis=-1), dtype=np.float32)

    def dense_unit_scores(self, text: str) -> np.ndarray:
        """Cosine of the query against the FAISS top candidates (others get -1)."""
        query = self.embedder.encode_query(text)
        k = min(DENSE_CANDIDATES, len(self.units))
        sims, ids = self._faiss.search(query, k)  # type: ignore[attr-defined]
        scores = np.full(len(self.units), -1.0, dtype=np.float32)
        scores[ids[0]] = sims[0]
        return scores

    def scores(self, text: str, lang: Lang) -> Scores:
        """Dense and lexical scores per topic for ``text`` in ``lang``."""
        dense = self.topic_pool(self.dense_unit_scores(text), DENSE_POOL)
        lexical = self.topic_pool(self.lexical.scores(text, lang))
        return Scores(self.topics, dense, lexical)

    def rank(self, text: str, lang: Lang, mode: str = "hybrid") -> list[Hit]:
        """All topics, best first; ``mode`` hybrid | dense | lexical (for the benchmark)."""
        start = time.perf_counter()
        s = self.scores(self.speller.correct(text, lang), lang)
        fused = self.calibration.fuse(s.dense, s.lexical, mode)
        confidence = self.calibration.confidence(fused)
        order = np.argsort(-fused, kind="stable")
        hits = [
            Hit(self.topics[i], float(confidence[i]), float(fused[i]), float(s.dense[i]), float(s.lexical[i]))
            for i in order
        ]
        for observer in self._ranking_observers:
            observer(time.perf_counter() - start)
        return hits

    # --- public API ----------------------------------------------------------------------

    def resolve_lang(self, text: str, lang: str | None) -> Lang:
        """The given language (validated) or the detected one."""
        if lang is None:
            return detect(text, default=self.config.default_language)
        if lang not in LANGS or lang not in self.config.languages:
            raise UnsupportedLanguageError(lang)
        return lang

    def search(self, text: str, lang: str | None = None, k: int = 5) -> tuple[Lang, list[Hit]]:
        """Top ``k`` topics for ``text``."""
        self.warm_up()
        resolved = self.resolve_lang(text, lang)
        return resolved, self.rank(text, resolved)[:k]

    def ask(self, text: str, lang: str | None = None, as_of: dt.date | None = None) -> Answer:
        """Answer ``text``: best topic in the asked language, notes, sources, alternatives."""
        self.warm_up()
        resolved = self.resolve_lang(text, lang)
        hits = self.rank(text, resolved)
        best = hits[0]
        status: Status = (
            "answered"
            if best.confidence >= self.config.answer_threshold
            else "clarify"
            if best.confidence >= self.config.clarify_threshold
            else "fallback"
        )
        return self.compose(
            best.faq_id, resolved, confidence=best.confidence, status=status, others=hits[1:4], as_of=as_of
        )

    def compose(
        self,
        faq_id: str,
        lang: Lang,
        *,
        confidence: float = 1.0,
        status: Status = "answered",
        others: list[Hit] | None = None,
        as_of: dt.date | None = None,
    ) -> Answer:
        """Build the Answer for a known topic (also used by GET /api/faq/{id}).

        The entry of a document describing today's platform leads (``Topic.variant_for``); an
        answer written before the launch starts with a line saying so (``Answer.intro``) and,
        when a current answer displaced it, is still listed among the sources.
        """
        self.warm_up()
        topic = self.kb.topic(faq_id)
        entry = topic.variant_for(lang)
        day = as_of or self.config.as_of or dt.date.today()
        # every document on the other side of a disagreement, once each (not the answer itself)
        linked_ids = dict.fromkeys(c.entry for c in entry.conflicts_with if c.entry != entry.id)
        linked = [self.kb.entries[i] for i in linked_ids]
        # A pre-launch answer in the asked language that a current document's answer displaced.
        earlier = [
            e for e in topic.entries if e.id not in topic.current and entry_document_language(e) == lang
        ]
        first_line = intro(self.kb, entry, lang, day, messages()["notes"])
        text = entry.answer[lang].text
        cited = {e.id: e for e in [entry, *linked, *earlier]}
        return Answer(
            faq_id=faq_id,
            lang=lang,
            question=entry.question[lang],
            answer=f"{first_line}\n\n{text}" if first_line else text,
            confidence=round(confidence, 3),
            status=status,
            sources=[self.source(e) for e in cited.values()],
            alternatives=[
                Alternative(
                    h.faq_id, self.kb.topic(h.faq_id).variant_for(lang).question[lang], round(h.confidence, 3)
                )
                for h in (others or [])
            ],
            notes=notes_for(self.kb, entry, lang, day),
            intro=first_line,
        )

    def source(self, entry: Entry) -> Source:
        """The source line of an entry."""
        doc = self.kb.document_of(entry)
        return Source(doc.id, doc.title, document_date(self.kb, entry), doc.url, entry.section, entry.id)


def _topic_unit_matrix(topics: list[str], unit_topics: list[str]) -> np.ndarray:
    """(n_topics, max units per topic) matrix of unit indices, padded with -1."""
    rows: list[list[int]] = [[] for _ in topics]
    position = {t: i for i, t in enumerate(topics)}
    for i, topic in enumerate(unit_topics):
        rows[position[topic]].append(i)
    width = max(len(r) for r in rows)
    return np.array([r + [-1] * (width - len(r)) for r in rows])
