"""The held-out conversation set of issue 14: its schema, loading with file:line errors, the check
of one turn against what the turn stored, and the table of pass rates.

A conversation file (``en.yml``, ``nl.yml``, ``sl.yml``) holds ``language`` and ``conversations``;
each conversation has an ``id`` (``<language>-...``), a ``category``, an optional ``note`` (why the
expectations are what they are) and 1-5 ``turns``. A turn is what the teacher types (``user``) or
the quick reply they press (``press``: the start of a button payload of the previous reply, e.g.
``/ask_human``), and an ``expect`` mapping, checked against the bot messages the turn stored:

- ``kind`` / ``not_kind``: some / none of the turn's replies is of these kinds.
- ``faq_id``: an FAQ answer (kind ``faq``) of the turn is about one of these topics.
- ``rule``, ``verdict``: a verdict or form question of the turn is about one of these rules and
  its status is one of these (``yes``, ``no``, ``uncertain``, ``ask:<input>``, ``invalid:<input>``);
  given together, both must hold for the same reply. ``not_verdict``: no reply has these statuses.
- ``language``: every reply is stored in this language, and no reply's text (citations left out)
  reads clearly as another language.
- ``has_note``: some reply carries a note (a disagreement between sources), or none does.
- ``offers_person``: some reply has a button that asks for a person (``/ask_human``), or none does.
- ``has_buttons``: some reply has quick-reply buttons, or none has.
- ``handoff_queued``: after the turn the conversation is, or is not, waiting in the agents' queue.
- ``contains_any`` / ``not_contains``: the replies' texts and buttons contain one / none of these
  strings (case and accents ignored). Use sparingly: wording may change.
- ``any_of``: a list of alternative expectation mappings; one of them must hold.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = Path(__file__).resolve().parent
THRESHOLDS_FILE = SET_DIR / "thresholds.yml"
TOPICS_FILE = ROOT / "knowledge" / "topics.yml"
RULES_DIR = ROOT / "knowledge" / "rules" / "data"

Lang = Literal["en", "nl", "sl"]
LANGS: tuple[Lang, ...] = get_args(Lang)
Category = Literal[
    "facts_in_question",
    "correction",
    "follow_up",
    "way_out",
    "off_topic_noise",
    "language",
    "greeting",
    "source_conflict",
    "handoff",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
Kind = Literal[
    "faq", "clarify", "fallback", "rule_verdict", "form_question", "handoff", "small_talk", "feedback"
]
RULE_KINDS = ("rule_verdict", "form_question")
VERDICTS = ("yes", "no", "uncertain")
PERSON_PAYLOAD = "/ask_human"  # the domain's intent for "talk to a person"
MIN_PER_LANGUAGE = 20
# The text check of ``language``: only replies with this many letters, and only a clear reading.
DETECT_MIN_LETTERS = 40
DETECT_MIN_CONFIDENCE = 0.9


def _listify(value: object) -> object:
    if isinstance(value, bool) or (isinstance(value, list) and any(isinstance(v, bool) for v in value)):
        raise ValueError('YAML reads an unquoted yes/no as a boolean: write "yes" / "no"')  # noqa: TRY004
    return [value] if isinstance(value, str) else value


Many = Annotated[list[str], BeforeValidator(_listify), Field(min_length=1)]
Kinds = Annotated[list[Kind], BeforeValidator(_listify), Field(min_length=1)]


@cache
def known_topics() -> frozenset[str]:
    """The public faq_ids (knowledge/topics.yml)."""
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return frozenset(data)


@cache
def known_rules() -> dict[str, frozenset[str]]:
    """Each rule's name with the names of its inputs (knowledge/rules/data/*.yml)."""
    rules: dict[str, frozenset[str]] = {}
    for path in sorted(RULES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, rule in (data.get("rules") or {}).items():
            rules[name] = frozenset(spec["name"] for spec in rule.get("inputs") or [])
    return rules


def _check_status(status: str, rules: Iterable[str]) -> None:
    if status in VERDICTS:
        return
    prefix, _, slot = status.partition(":")
    if prefix not in ("ask", "invalid") or not slot:
        raise ValueError(f"status {status!r}: use yes, no, uncertain, ask:<input> or invalid:<input>")
    inputs = (
        set().union(*(known_rules()[r] for r in rules)) if rules else set().union(*known_rules().values())
    )
    if slot not in inputs:
        raise ValueError(f"status {status!r}: {slot!r} is not an input of {', '.join(rules) or 'any rule'}")


class Expect(BaseModel):
    """What one turn must do (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kinds | None = None
    not_kind: Kinds | None = None
    faq_id: Many | None = None
    rule: Many | None = None
    verdict: Many | None = None
    not_verdict: Many | None = None
    language: Lang | None = None
    has_note: bool | None = None
    offers_person: bool | None = None
    has_buttons: bool | None = None
    handoff_queued: bool | None = None
    contains_any: Many | None = None
    not_contains: Many | None = None
    any_of: Annotated[list[Expect], Field(min_length=2)] | None = None

    @model_validator(mode="after")
    def _known_names(self) -> Expect:
        if not self.model_fields_set:
            raise ValueError("expect nothing: give at least one expectation")
        unknown_topics = sorted(set(self.faq_id or ()) - known_topics())
        if unknown_topics:
            raise ValueError(f"faq_id: not in knowledge/topics.yml: {', '.join(unknown_topics)}")
        unknown_rules = sorted(set(self.rule or ()) - set(known_rules()))
        if unknown_rules:
            raise ValueError(f"rule: not in knowledge/rules/data: {', '.join(unknown_rules)}")
        for status in [*(self.verdict or ()), *(self.not_verdict or ())]:
            _check_status(status, self.rule or ())
        if self.kind and self.not_kind and set(self.kind) & set(self.not_kind):
            raise ValueError("kind and not_kind overlap")
        return self


class Turn(BaseModel):
    """One message of the teacher (typed, or a pressed quick reply) and what it must get."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: Annotated[str, Field(min_length=1)] | None = None
    press: Annotated[str, Field(pattern=r"^/\w+")] | None = None
    expect: Expect

    @model_validator(mode="after")
    def _one_message(self) -> Turn:
        if (self.user is None) == (self.press is None):
            raise ValueError("give either user (typed text) or press (a button payload), not both")
        return self


class Conversation(BaseModel):
    """A held-out conversation of one category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^(en|nl|sl)-[a-z0-9]+(-[a-z0-9]+)*$")]
    category: Category
    note: str | None = None
    turns: Annotated[list[Turn], Field(min_length=1, max_length=5)]

    @model_validator(mode="after")
    def _press_follows_a_reply(self) -> Conversation:
        if self.turns[0].press is not None:
            raise ValueError("the first turn cannot press a button: there is no reply yet")
        return self


class ConversationFile(BaseModel):
    """One language's file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Lang
    conversations: list[Conversation]

    @model_validator(mode="after")
    def _ids(self) -> ConversationFile:
        ids = [c.id for c in self.conversations]
        foreign = [i for i in ids if not i.startswith(f"{self.language}-")]
        if foreign:
            raise ValueError(f"ids must start with {self.language}-: {', '.join(foreign)}")
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"duplicate ids: {', '.join(twice)}")
        return self


class Thresholds(BaseModel):
    """The share of conversations that must pass, per category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    facts_in_question: Annotated[float, Field(ge=0, le=1)]
    correction: Annotated[float, Field(ge=0, le=1)]
    follow_up: Annotated[float, Field(ge=0, le=1)]
    way_out: Annotated[float, Field(ge=0, le=1)]
    off_topic_noise: Annotated[float, Field(ge=0, le=1)]
    language: Annotated[float, Field(ge=0, le=1)]
    greeting: Annotated[float, Field(ge=0, le=1)]
    source_conflict: Annotated[float, Field(ge=0, le=1)]
    handoff: Annotated[float, Field(ge=0, le=1)]

    def of(self, category: str) -> float:
        """The threshold of ``category``."""
        value: float = getattr(self, category)
        return value


class SetError(ValueError):
    """A file of the set does not validate; the message names file:line for each problem."""


def _line(node: yaml.Node | None, loc: Sequence[int | str]) -> int:
    """The line (1-based) of the deepest YAML node the pydantic error location reaches."""
    found = node
    for part in loc:
        if isinstance(found, yaml.MappingNode):
            found = next((v for k, v in found.value if k.value == part), found)
        elif isinstance(found, yaml.SequenceNode) and isinstance(part, int) and part < len(found.value):
            found = found.value[part]
    return found.start_mark.line + 1 if found is not None else 1


def _validated(model: type[BaseModel], path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
        return model.model_validate(data)
    except yaml.YAMLError as err:
        raise SetError(f"{path}: {err}") from err
    except ValidationError as err:
        lines = [
            f"{path}:{_line(node, e['loc'])}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
            for e in err.errors()
        ]
        raise SetError("\n".join(lines)) from None


def load_file(path: Path) -> ConversationFile:
    """Read and validate one conversation file.

    Raises:
        SetError: With ``file:line: location: problem`` for every problem found.
    """
    loaded: ConversationFile = _validated(ConversationFile, path)
    if loaded.language != path.stem:
        raise SetError(f"{path}:1: language: {loaded.language!r} in a file named {path.name}")
    return loaded


def load_set(directory: Path = SET_DIR) -> dict[Lang, ConversationFile]:
    """The three languages' files, validated, with ids unique over all of them."""
    files = {lang: load_file(directory / f"{lang}.yml") for lang in LANGS}
    ids = [c.id for f in files.values() for c in f.conversations]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise SetError(f"{directory}: ids used twice: {', '.join(twice)}")
    return files


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    """The per-category thresholds."""
    loaded: Thresholds = _validated(Thresholds, path)
    return loaded


# ---------------------------------------------------------------------------------------------
# Checking a turn
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One message the turn stored after the teacher's (a bot or system message)."""

    kind: str | None
    text: str
    language: str | None
    faq_id: str | None = None
    rule: str | None = None
    result: str | None = None
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    buttons: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class TurnOutcome:
    """What a turn stored: its replies, and whether the conversation waits for an agent after it."""

    replies: tuple[Reply, ...]
    queued: bool


# A language detector for the text check: text -> (language, confidence), or None to skip it.
Detector = Callable[[str], tuple[str, float] | None]


def fold(text: str) -> str:
    """Lower case without accents, for contains checks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def prose(reply: Reply) -> str:
    """The reply's text without its citation lines and URLs (document titles are not translated)."""
    kept = [
        line
        for line in reply.text.splitlines()
        if not any(s and s in line for s in reply.sources) and "http" not in line and "://" not in line
    ]
    return "\n".join(kept)


def _shown(replies: Sequence[Reply]) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.kind, r.faq_id or r.rule, r.result) for r in replies]


def check_turn(expect: Expect, outcome: TurnOutcome, detect: Detector | None = None) -> list[str]:
    """Check one turn's stored replies against its expectations.

    Args:
        expect: The turn's expectations.
        outcome: What the turn stored.
        detect: Reads the language of a reply's text; None skips that part of ``language``.

    Returns:
        One line per expectation that failed; empty when the turn passed.
    """
    replies = outcome.replies
    if not replies:
        return ["no reply stored for this turn"]
    failures: list[str] = []
    kinds = {r.kind for r in replies}
    if expect.kind and not kinds & set(expect.kind):
        failures.append(f"kind: expected one of {expect.kind}, got {_shown(replies)}")
    if expect.not_kind and kinds & set(expect.not_kind):
        failures.append(
            f"not_kind: got {sorted(str(k) for k in kinds & set(expect.not_kind))} in {_shown(replies)}"
        )
    if expect.faq_id:
        answered = [r.faq_id for r in replies if r.kind == "faq"]
        if not set(answered) & set(expect.faq_id):
            failures.append(f"faq_id: expected an FAQ answer on {expect.faq_id}, got {_shown(replies)}")
    ruled = [r for r in replies if r.kind in RULE_KINDS]
    if expect.rule or expect.verdict:
        match = [
            r
            for r in ruled
            if (not expect.rule or r.rule in expect.rule)
            and (not expect.verdict or r.result in expect.verdict)
        ]
        if not match:
            wanted = f"rule {expect.rule or 'any'} with status {expect.verdict or 'any'}"
            failures.append(f"rule/verdict: expected {wanted}, got {_shown(replies)}")
    if expect.not_verdict:
        bad = [r.result for r in ruled if r.result in expect.not_verdict]
        if bad:
            failures.append(f"not_verdict: got {bad} in {_shown(replies)}")
    if expect.language:
        failures += _language_failures(expect.language, replies, detect)
    flags = {
        "has_note": any(r.notes for r in replies),
        "offers_person": any(
            str(b.get("payload", "")).startswith(PERSON_PAYLOAD) for r in replies for b in r.buttons
        ),
        "has_buttons": any(r.buttons for r in replies),
        "handoff_queued": outcome.queued,
    }
    for name, actual in flags.items():
        wanted_flag = getattr(expect, name)
        if wanted_flag is not None and wanted_flag != actual:
            failures.append(f"{name}: expected {wanted_flag}, got {actual}")
    shown_text = fold(
        "\n".join(r.text for r in replies)
        + "\n"
        + "\n".join(str(b.get("title", "")) for r in replies for b in r.buttons)
    )
    if expect.contains_any and not any(fold(s) in shown_text for s in expect.contains_any):
        failures.append(f"contains_any: none of {expect.contains_any} in the replies")
    if expect.not_contains:
        present = [s for s in expect.not_contains if fold(s) in shown_text]
        if present:
            failures.append(f"not_contains: {present} in the replies")
    if expect.any_of:
        tried = [check_turn(alternative, outcome, detect) for alternative in expect.any_of]
        if all(tried):
            failures.append("any_of: no alternative held: " + " | ".join("; ".join(t) for t in tried))
    return failures


def _language_failures(lang: str, replies: Sequence[Reply], detect: Detector | None) -> list[str]:
    failures = [
        f"language: a {r.kind} reply is stored as {r.language!r}, expected {lang!r}"
        for r in replies
        if r.language != lang
    ]
    if detect is None:
        return failures
    for reply in replies:
        text = prose(reply)
        if sum(c.isalpha() for c in text) < DETECT_MIN_LETTERS:
            continue
        read = detect(text)
        if read is not None and read[0] != lang and read[1] >= DETECT_MIN_CONFIDENCE:
            failures.append(
                f"language: the {reply.kind} reply reads as {read[0]} ({read[1]:.2f}): {_excerpt(text)}"
            )
    return failures


def _excerpt(text: str, width: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Results and the table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnFailure:
    """A turn that failed: its number (1-based), what the teacher sent, why, and what came back."""

    number: int
    said: str
    failures: tuple[str, ...]
    replies: tuple[Reply, ...]
    queued: bool = False


@dataclass
class ConversationResult:
    """How one conversation went; ``error`` is set when it could not be played to the end."""

    conversation: Conversation
    turns: list[TurnFailure] = field(default_factory=list)
    error: str | None = None

    @property
    def language(self) -> str:
        return self.conversation.id.split("-", 1)[0]

    @property
    def passed(self) -> bool:
        return not self.turns and self.error is None

    def describe(self) -> str:
        """Which turn and expectation failed, with the replies' first words."""
        head = f"- **{self.conversation.id}** ({self.conversation.category})"
        lines = [head]
        if self.error:
            lines.append(f"  - error: {self.error}")
        for turn in self.turns:
            queued = " (the conversation is now in the agents' queue)" if turn.queued else ""
            lines.append(f"  - turn {turn.number} {turn.said!r}{queued}:")
            lines += [f"    - {failure}" for failure in turn.failures]
            for reply in turn.replies:
                lines.append(
                    f"    - got {reply.kind}/{reply.faq_id or reply.rule}/{reply.result}: {_excerpt(reply.text)}"
                )
        return "\n".join(lines)


def _cell(results: Sequence[ConversationResult]) -> str:
    if not results:
        return "–"
    passed = sum(r.passed for r in results)
    return f"{passed}/{len(results)} ({100 * passed / len(results):.0f} %)"


def pass_rate(results: Sequence[ConversationResult]) -> float:
    """The share of conversations that passed (1.0 for none)."""
    return sum(r.passed for r in results) / len(results) if results else 1.0


def table(results: Sequence[ConversationResult], thresholds: Thresholds) -> str:
    """Pass rates per category and language, as a Markdown table."""
    rows = [
        "| category | en | nl | sl | all | target |",
        "|---|---|---|---|---|---|",
    ]
    played = [c for c in CATEGORIES if any(r.conversation.category == c for r in results)]
    for category in played:
        of_category = [r for r in results if r.conversation.category == category]
        cells = [_cell([r for r in of_category if r.language == lang]) for lang in LANGS]
        verdict = "ok" if pass_rate(of_category) >= thresholds.of(category) else "below"
        target = f"{100 * thresholds.of(category):.0f} % ({verdict})"
        rows.append(f"| {category} | {' | '.join(cells)} | {_cell(of_category)} | {target} |")
    totals = [_cell([r for r in results if r.language == lang]) for lang in LANGS]
    rows.append(f"| **all** | {' | '.join(totals)} | {_cell(results)} | |")
    return "\n".join(rows)


def report(results: Sequence[ConversationResult], thresholds: Thresholds) -> str:
    """The table followed by every failing conversation."""
    failing = [r.describe() for r in results if not r.passed]
    parts = [
        "# Held-out conversation set (issue 14)",
        "",
        table(results, thresholds),
        "",
        f"## Failing conversations ({len(failing)})",
        "",
        "\n".join(failing) if failing else "None.",
        "",
    ]
    return "\n".join(parts)
