"""Disagreements between the sources, as the KB's ``conflicts_with`` links record them.

A disagreement is every link that shares one ``id``. Its links split the entries into two sides
(an entry and the entries it links to are on opposite sides); an entry quoting its own words in
``says`` states that side, the others only carry the note for their topic in their language.
This module groups the links, checks that each disagreement is whole (one severity and one line,
two sides, every language version of its topics linked) and writes ``knowledge/kb/CONFLICTS.md``
(``python -m knowledge conflicts``), so the list can never drift from the links.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.loader import KnowledgeBase, Topic
from knowledge.schema import LANGS, SEVERITIES, Conflict, Entry, Localized, Severity

CONFLICTS_FILE = "CONFLICTS.md"
# A note is one line in the chat widget: "Sources disagree: " plus this.
MAX_DIFFERS_CHARS = 220


@dataclass(frozen=True)
class Link:
    """One ``conflicts_with`` item with the entry it belongs to and its position there."""

    owner: str
    index: int
    conflict: Conflict

    @property
    def key(self) -> str:
        """The disagreement this link belongs to."""
        return self.conflict.key(self.owner)


@dataclass(frozen=True)
class Party:
    """An entry stating one side, with its own words."""

    entry: str
    says: str


@dataclass(frozen=True)
class Disagreement:
    """One disagreement between (or inside) the source documents."""

    id: str
    severity: Severity
    differs: Localized
    sides: tuple[tuple[Party, ...], tuple[Party, ...]]
    noted_in: tuple[str, ...]
    entries: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class LinkProblem:
    """A problem of one disagreement, located at one of its links."""

    owner: str
    index: int
    message: str


def links_by_disagreement(entries: Mapping[str, Entry]) -> dict[str, list[Link]]:
    """Every link, grouped by disagreement id, in KB load order."""
    groups: dict[str, list[Link]] = {}
    for eid, entry in entries.items():
        for i, conflict in enumerate(entry.conflicts_with):
            link = Link(eid, i, conflict)
            groups.setdefault(link.key, []).append(link)
    return groups


def split_sides(links: list[Link]) -> tuple[list[str], list[str]] | None:
    """The two sides of a disagreement, in load order; None if its links do not split in two.

    Links to the entry itself (a disagreement inside one answer) do not take part: that entry is
    on both sides.
    """
    neighbours: dict[str, list[str]] = {}
    for link in links:
        neighbours.setdefault(link.owner, [])
        for target in link.conflict.targets:
            neighbours.setdefault(target, [])
            if target != link.owner:
                neighbours[link.owner].append(target)
                neighbours[target].append(link.owner)
    order = list(neighbours)
    colour = {order[0]: 0}
    queue = [order[0]]
    while queue:
        node = queue.pop()
        for other in neighbours[node]:
            if other not in colour:
                colour[other] = 1 - colour[node]
                queue.append(other)
            elif colour[other] == colour[node]:
                return None
    if len(colour) != len(order):
        return None
    return [n for n in order if colour[n] == 0], [n for n in order if colour[n] == 1]


def _variants(topic: Topic) -> list[Entry]:
    """The entries that answer the topic in some language (see ``Topic.variant_for``)."""
    seen: dict[str, Entry] = {}
    for lang in LANGS:
        entry = topic.variant_for(lang)
        seen.setdefault(entry.id, entry)
    return list(seen.values())


def topics_of(entries: Mapping[str, Entry]) -> dict[str, Topic]:
    """Entries grouped by topic in load order, as the loader groups them."""
    grouped: dict[str, list[Entry]] = {}
    for entry in entries.values():
        grouped.setdefault(entry.topic, []).append(entry)
    return {tid: Topic(tid, tid, tuple(items)) for tid, items in grouped.items()}


def check(entries: Mapping[str, Entry]) -> Iterator[LinkProblem]:
    """Problems that only a whole disagreement shows.

    One severity and one ``differs`` line per disagreement; links that split into two sides, each
    with at least one entry quoting its words; every language version of every topic concerned
    linked (so the answer in each language carries the note). Missing targets and back-links are
    checked per link by knowledge/validate.py.
    """
    topics = topics_of(entries)
    for key, links in links_by_disagreement(entries).items():
        first = links[0]
        for link in links[1:]:
            if link.conflict.severity != first.conflict.severity:
                yield LinkProblem(
                    link.owner,
                    link.index,
                    f"disagreement {key!r}: severity {link.conflict.severity!r}, but "
                    f"{first.owner!r} says {first.conflict.severity!r}",
                )
            if link.conflict.differs != first.conflict.differs:
                yield LinkProblem(
                    link.owner,
                    link.index,
                    f"disagreement {key!r}: differs is not the line {first.owner!r} gives (one line per "
                    "disagreement)",
                )
        if any(t not in entries for link in links for t in link.conflict.targets):
            continue  # reported per link
        sides = split_sides(links)
        if sides is None:
            yield LinkProblem(
                first.owner,
                first.index,
                f"disagreement {key!r}: its links do not split the entries into two connected sides",
            )
            continue
        parties = _parties(links, sides)
        for side, stated in zip(sides, parties, strict=True):
            if not stated and first.conflict.id is not None:
                yield LinkProblem(
                    first.owner,
                    first.index,
                    f"disagreement {key!r}: no entry on the side of {side[0]!r} quotes its words (says)",
                )
        linked = {link.owner for link in links}
        involved = {eid for side in sides for eid in side}
        for tid in sorted({entries[eid].topic for eid in involved}):
            for variant in _variants(topics[tid]):
                if variant.id not in linked:
                    yield LinkProblem(
                        first.owner,
                        first.index,
                        f"disagreement {key!r}: {variant.id!r} answers topic {tid!r} in "
                        f"{_answer_langs(topics[tid], variant)} but has no link for it",
                    )


def _answer_langs(topic: Topic, entry: Entry) -> str:
    return "/".join(lang for lang in LANGS if topic.variant_for(lang).id == entry.id)


def _parties(links: list[Link], sides: tuple[list[str], list[str]]) -> tuple[list[Party], list[Party]]:
    """Entries quoting their words, per side; a link to itself quotes the other half."""
    side_of = {eid: n for n, side in enumerate(sides) for eid in side}
    found: tuple[list[Party], list[Party]] = ([], [])
    seen: set[tuple[int, str, str]] = set()
    for link in links:
        says = link.conflict.says
        if says is None:
            continue
        n = side_of[link.owner]
        if link.conflict.targets == (link.owner,):
            n = 1 - n
        if (n, link.owner, says) not in seen:
            seen.add((n, link.owner, says))
            found[n].append(Party(link.owner, says))
    return found


def disagreements(kb: KnowledgeBase) -> list[Disagreement]:
    """Every disagreement of a valid KB, most consequential first, then in KB order."""
    found: list[Disagreement] = []
    for key, links in links_by_disagreement(kb.entries).items():
        sides = split_sides(links)
        if sides is None:  # validate reports it
            continue
        parties = _parties(links, sides)
        stating = {p.entry for side in parties for p in side}
        involved = [eid for side in sides for eid in side]
        ordered = sorted(involved, key=list(kb.entries).index)
        first = links[0].conflict
        found.append(
            Disagreement(
                id=key,
                severity=first.severity,
                differs=first.differs,
                sides=(tuple(parties[0]), tuple(parties[1])),
                noted_in=tuple(eid for eid in ordered if eid not in stating),
                entries=tuple(ordered),
                topics=tuple(dict.fromkeys(kb.entries[eid].topic for eid in ordered)),
            )
        )
    return sorted(found, key=lambda d: SEVERITIES.index(d.severity))


def _party_line(kb: KnowledgeBase, parties: tuple[Party, ...]) -> str:
    """One side on one line: per document its date, then each entry's section and words."""
    by_document: dict[str, list[str]] = {}
    for party in parties:
        entry = kb.entries[party.entry]
        by_document.setdefault(kb.entry_document[entry.id], []).append(
            f"{entry.section} (`{entry.id}`): “{party.says}”"
        )
    return " · ".join(
        f"**{doc_id}** ({_document_when(kb, doc_id)}) — {'; '.join(items)}"
        for doc_id, items in by_document.items()
    )


def _document_when(kb: KnowledgeBase, doc_id: str) -> str:
    doc = kb.documents[doc_id]
    return doc.date.isoformat() if doc.date else str(doc.version)


def render(kb: KnowledgeBase) -> str:
    """The text of CONFLICTS.md for this KB."""
    found = disagreements(kb)
    counts = ", ".join(f"{sum(d.severity == s for d in found)} {s}" for s in SEVERITIES)
    lines = [
        "# Disagreements between the sources",
        "",
        "Generated by `python -m knowledge conflicts` from the `conflicts_with` links in",
        "`knowledge/kb/*.yml`; do not edit by hand. How the links are written, and the documents",
        "behind the ids below: `README.md`.",
        "",
        f"{len(found)} disagreements ({counts}), most consequential first. Side A and side B quote",
        "each source's own words; every answer to a topic listed, in English, Dutch and Slovenian,",
        "carries the one-line note.",
        "",
        "| # | disagreement | severity | topics |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {n} | [{d.id}](#{n}-{d.id}) | {d.severity} | {', '.join(d.topics)} |"
        for n, d in enumerate(found, start=1)
    ]
    for n, d in enumerate(found, start=1):
        lines += [
            "",
            f"## {n}. {d.id}",
            "",
            f"- Severity: {d.severity}; topics: {', '.join(f'`{t}`' for t in d.topics)}",
            f"- A: {_party_line(kb, d.sides[0])}",
            f"- B: {_party_line(kb, d.sides[1])}",
            f"- Note: {d.differs.en}",
        ]
        if d.noted_in:
            lines.append(f"- Also carried by: {', '.join(f'`{e}`' for e in d.noted_in)}")
    return "\n".join(lines) + "\n"


def write(kb: KnowledgeBase, kb_dir: Path) -> Path:
    """Write CONFLICTS.md next to the KB files and return its path."""
    path = kb_dir / CONFLICTS_FILE
    path.write_text(render(kb), encoding="utf-8")
    return path
