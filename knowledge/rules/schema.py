"""Pydantic models of the rule YAML (knowledge/rules/data/*.yml) and of the public Verdict.

The YAML models are strict (unknown keys fail) so that a typo in a rule file is caught when
the rule book loads, not when a teacher happens to hit the broken case. The public models
(``InputSpec``, ``RuleSpec``, ``Source``, ``Reason``, ``Verdict``) are what the HTTP layer
and the Rasa actions receive; keep them stable.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Literal

from pydantic import Field, model_validator

from knowledge.schema import ID_PATTERN, LANGS, Lang, Localized, Strict

InputType = Literal["date", "bool", "int", "number", "country", "country_list", "choice_list", "choice"]
VerdictKind = Literal["yes", "no", "uncertain", "need_more"]
Decided = Literal["yes", "no", "uncertain"]
FactValue = dt.date | int | float
Condition = dict[str, object]

AS_OF = "as_of"
"""Pseudo-input that conditions may test; it always holds the evaluation date."""

ENTRY_PREFIXES: dict[str, str] = {
    "ec-en": "ec-faq-en",
    "nl": "nso-flanders-faq-nl",
    "sl": "ec-faq-sl",
    "howto": "etwinning-howto-en",
    "esep": "esep-overview-en",
}
"""KB entry id prefix -> document id (entry ids are ``<prefix>-<topic>``)."""

# --- public models -------------------------------------------------------------------------


class InputSpec(Strict):
    """One input a rule asks for, with the question to ask in each language."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: InputType
    choices: list[str] | None = None
    prompt: Localized
    example: str
    minimum: float | None = Field(default=None, description="smallest accepted value (int/number)")

    @model_validator(mode="after")
    def _choices_match_type(self) -> InputSpec:
        needs_choices = self.type in ("choice", "choice_list")
        if needs_choices != bool(self.choices):
            raise ValueError(f"{self.name}: choices are required exactly for choice types")
        return self


class RuleSpec(Strict):
    """What a caller needs to know to ask for a rule's inputs."""

    name: str
    title: Localized
    inputs: list[InputSpec]


class Source(Strict):
    """A KB entry and the document it comes from."""

    entry: str
    document: str
    title: str
    publisher: str
    date: dt.date | None = None
    url: str | None = None


class Reason(Strict):
    """One sourced statement that the verdict rests on."""

    text: str
    source: Source


class Verdict(Strict):
    """The answer to one personal question, as of one date, in one language."""

    rule: str
    verdict: VerdictKind
    explanation: str
    reasons: list[Reason] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    as_of: dt.date
    lang: Lang


# --- YAML models ---------------------------------------------------------------------------


class Tensed(Strict):
    """A text that reads differently before and after the date it depends on.

    ``during`` is for a date known only to a stretch of days (the second semester of 2022):
    inside it the fact may or may not lie behind, so neither tense is right. Without ``during``
    the future text is used there.
    """

    past: Localized
    future: Localized
    during: Localized | None = None

    def localized(self) -> list[Localized]:
        """Return every variant (for placeholder checks)."""
        return [self.past, self.future, *([self.during] if self.during else [])]


Text = Localized | Tensed


class SourceRef(Strict):
    """Where a fact comes from: a KB entry and its document."""

    entry: str = Field(pattern=ID_PATTERN)
    document: str = Field(pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _prefix_matches_document(self) -> SourceRef:
        prefixes = sorted(ENTRY_PREFIXES, key=len, reverse=True)
        prefix = next((p for p in prefixes if self.entry.startswith(p + "-")), None)
        if prefix is None or ENTRY_PREFIXES[prefix] != self.document:
            raise ValueError(f"entry {self.entry!r} does not belong to document {self.document!r}")
        return self


class Fact(Strict):
    """A date, threshold or statement from a source, with what it says in each language.

    A dated fact never writes its date: ``date`` names the key date of its source entry in the
    knowledge base (knowledge/kb/*.yml, ``dates``), which holds the date at the source's own
    precision, its kind (deadline, event, cutoff) and the source's words. ``quote`` is the
    sentence of the source the fact rests on, verbatim in the document's language.
    """

    value: FactValue | None = Field(default=None, description="a threshold; a date here is an error")
    date: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$", description="key date id in source.entry")
    kind: Literal["statement", "threshold"] = "statement"
    quote: str = Field(min_length=1)
    says: Text
    source: SourceRef

    @model_validator(mode="after")
    def _tensed_needs_date(self) -> Fact:
        if isinstance(self.says, Tensed) and self.date is None:
            raise ValueError("a tensed text needs a date (the key date it switches on)")
        if self.kind == "threshold" and not isinstance(self.value, (int, float)):
            raise ValueError("a threshold needs a number value")
        return self


class Outcome(Strict):
    """A verdict with its text, the facts it rests on and the deadlines to mention."""

    verdict: Decided
    text: Text
    reasons: list[str] = Field(default_factory=list)
    deadlines: list[str] = Field(default_factory=list)


class Case(Outcome):
    """An outcome that applies when its condition holds; no condition means 'otherwise'."""

    when: Condition | None = None


class Criterion(Strict):
    """One condition of an all-must-hold rule, with the phrase used when it fails."""

    id: str
    holds: Condition
    failed: Localized
    reason: str


class RuleDef(Strict):
    """One rule as written in YAML: either first-match ``cases`` or all-must-hold ``criteria``."""

    title: Localized
    inputs: list[InputSpec] = Field(default_factory=list)
    tense_pivot: str | None = None
    cases: list[Case] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    if_met: Outcome | None = None
    if_not_met: Outcome | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> RuleDef:
        if bool(self.cases) == bool(self.criteria):
            raise ValueError("a rule has either cases or criteria")
        if self.cases and self.cases[-1].when is not None:
            raise ValueError("the last case must have no condition (otherwise)")
        if self.criteria and (self.if_met is None or self.if_not_met is None):
            raise ValueError("criteria rules need if_met and if_not_met")
        return self

    def outcomes(self) -> list[Outcome]:
        """Return every outcome the rule can produce."""
        extra = [o for o in (self.if_met, self.if_not_met) if o is not None]
        return [*self.cases, *extra]


class RuleFile(Strict):
    """A rule set file: rules keyed by their public name."""

    rules: dict[str, RuleDef]


class FactsFile(Strict):
    """data/facts.yml: every sourced fact the rules use, keyed by id."""

    facts: dict[str, Fact]


class DocumentMeta(Strict):
    """A source document as the verdict's ``sources`` name it."""

    title: str
    publisher: str
    date: dt.date | None = None
    version: str | None = None
    url: str | None = None


class Country(Strict):
    """One country: ISO 3166 alpha-2 code, names in the three languages and other spellings."""

    code: str = Field(pattern=r"^[A-Z]{2}$")
    group: Literal["eu", "eea", "erasmus_associated", "etwinning_partner", "other"]
    en: str
    nl: str
    sl: str
    aliases: list[str] = Field(default_factory=list)

    def name(self, lang: Lang) -> str:
        """Return the country's name in ``lang``."""
        return str(getattr(self, lang))


class CountriesFile(Strict):
    """data/countries.yml."""

    countries: list[Country]


class ParsingFile(Strict):
    """data/parsing.yml: words accepted for booleans, months and choices."""

    booleans: dict[bool, list[str]]
    months: dict[int, list[str]]
    choices: dict[str, list[str]]


class MessagesFile(Strict):
    """data/messages.yml: texts that do not belong to one rule."""

    failed_separator: dict[Lang, str]
    need_more: Localized
    verdicts: dict[VerdictKind, Localized]
    labels: dict[str, Localized]


def text_variants(text: Text) -> list[Localized]:
    """Return the localized variants of a plain or tensed text."""
    return text.localized() if isinstance(text, Tensed) else [text]


def placeholders(text: Text) -> set[str]:
    """Return the ``{names}`` used by a text in any language or tense."""
    names: set[str] = set()
    for variant in text_variants(text):
        for lang in LANGS:
            names.update(field for _, field, _, _ in string.Formatter().parse(variant.get(lang)) if field)
    return names
