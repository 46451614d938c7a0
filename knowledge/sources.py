"""Source lines for replies: one line per distinct document, linked when the document has a link.

An answer or a verdict may rest on several entries of the same document (the answer and an
earlier one it displaced, or several facts of one FAQ); the teacher needs each document once,
with its date in their language and its address when the knowledge base gives one. The actions
and the console render sources through these functions only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from knowledge.formatting import format_day
from knowledge.schema import Lang


class AnswerSource(Protocol):
    """What an answer's source gives (``knowledge.retrieve.Source``)."""

    @property
    def document(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def section(self) -> str: ...


class VerdictSource(Protocol):
    """What a verdict's source gives (``knowledge.rules.schema.Source``)."""

    @property
    def document(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def publisher(self) -> str: ...
    @property
    def date(self) -> dt.date | None: ...
    @property
    def url(self) -> str | None: ...


def _when(date: str, lang: Lang) -> str:
    """An ISO date in ``lang``; a version text ("2022, before the launch") as it is."""
    try:
        return format_day(dt.date.fromisoformat(date), lang)
    except ValueError:
        return date


def _line(title: str, when: str, sections: list[str], url: str | None) -> str:
    line = f"{title} ({when})"
    if sections:
        line += ", " + "; ".join(sections)
    return f"{line}: {url}" if url else line


def answer_source_lines(sources: Iterable[AnswerSource], lang: Lang) -> list[str]:
    """One line per document an answer cites, in citation order: 'Title (date), sections: url'.

    Args:
        sources: The answer's sources (its own entry first).
        lang: The reply's language (the date is written in it).

    Returns:
        The lines, each document once, with every cited section of it.
    """
    documents: dict[str, list[AnswerSource]] = {}
    for source in sources:
        documents.setdefault(source.document, []).append(source)
    lines = []
    for cited in documents.values():
        first = cited[0]
        sections = list(dict.fromkeys(s.section for s in cited if s.section))
        url = next((s.url for s in cited if s.url), None)
        lines.append(_line(first.title, _when(first.date, lang), sections, url))
    return lines


def verdict_source_lines(sources: Iterable[VerdictSource], lang: Lang) -> list[str]:
    """One line per document a verdict rests on: 'Title (date or publisher): url'.

    Args:
        sources: The verdict's sources (one per KB entry its facts quote).
        lang: The reply's language (the date is written in it).

    Returns:
        The lines, each document once, in the order the verdict first cites them.
    """
    lines: dict[str, str] = {}
    for source in sources:
        if source.document not in lines:
            when = format_day(source.date, lang) if source.date else source.publisher
            lines[source.document] = _line(source.title, when, [], source.url)
    return list(lines.values())
