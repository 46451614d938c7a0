"""Answers in time: what an answer's dates mean today, and which answer describes today's platform.

Two of the five documents were written before the European School Education Platform opened
(``document.describes: pre-launch``; ``written_before`` names the launch): the European
Commission's FAQ in English and in Slovenian. Once the launch lies behind the day of the
question, an answer from them starts with one line saying it was written before, and where a
document describing the platform as it is now (the eTwinning how-to, the Flemish NSO's FAQ of
2023) answers the same question, that answer leads (``knowledge.loader.Topic.variant_for``).

The date notes say, for each deadline and event of an answer, whether it has passed, is still
ahead, or, for a date known only to a stretch of days, may have passed (knowledge/periods.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from knowledge.formatting import format_when
from knowledge.loader import KnowledgeBase
from knowledge.schema import Entry, KeyDate, Lang

Note = Callable[..., str]
"""``note(key, lang, **values)``: a text of knowledge/messages.yml ``notes`` with its values filled."""

# (kind, state) -> note key in knowledge/messages.yml; a cutoff or an event still ahead gets none.
DATE_NOTES: dict[tuple[str, str], str] = {
    ("deadline", "past"): "deadline_passed",
    ("deadline", "uncertain"): "deadline_uncertain",
    ("deadline", "ahead"): "deadline_ahead",
    ("event", "past"): "event_past",
    ("event", "uncertain"): "event_uncertain",
}


def date_notes(entry: Entry, lang: Lang, as_of: dt.date, note: Note) -> list[str]:
    """One note per deadline or event of ``entry``: passed, ahead or possibly passed on ``as_of``.

    Args:
        entry: The entry that answers.
        lang: The language of the answer.
        as_of: The day of the question.
        note: Writes a note of knowledge/messages.yml (``notes._note``).

    Returns:
        The notes, in the entry's order; each date is written as precisely as its source.
    """
    notes = []
    for key_date in entry.dates:
        key = DATE_NOTES.get((key_date.kind, key_date.moment.state(as_of)))
        if key is not None:
            notes.append(note(key, lang, label=key_date.label.get(lang), date=when(key_date, lang)))
    return notes


def when(key_date: KeyDate, lang: Lang) -> str:
    """A key date written as its source gives it: "15 June 2022", "in May 2022", "until 30 September"."""
    return format_when(key_date.period, key_date.relation, lang)


def written_before(kb: KnowledgeBase, entry: Entry) -> KeyDate | None:
    """The event the entry's document was written before (the launch), if the document names one."""
    ref = kb.document_of(entry).written_before
    if ref is None:
        return None
    entry_id, date_id = ref.split("#")
    return next(d for d in kb.entries[entry_id].dates if d.id == date_id)


def intro(
    kb: KnowledgeBase, entry: Entry, lang: Lang, as_of: dt.date, texts: Mapping[str, Mapping[str, str]]
) -> str | None:
    """The line an answer starts with when it was written before an event that has happened since.

    Args:
        kb: The knowledge base.
        entry: The entry that answers.
        lang: The language of the answer.
        as_of: The day of the question.
        texts: The ``notes`` of knowledge/messages.yml (its ``written_before`` text).

    Returns:
        "Written before the new platform opened (31 May 2022): ..." in ``lang``, or None while
        the event may still be ahead or when the document was written after it.
    """
    event = written_before(kb, entry)
    if event is None or event.moment.state(as_of) != "past":
        return None
    return texts["written_before"][lang].format(date=when(event, lang))
