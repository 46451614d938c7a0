"""Write dates, numbers, countries and rule texts in the requested language.

Kept apart from the engine so that the decision (which case applies) and the wording (how to
say it in Dutch) can be read and tested separately. Texts come from the YAML; dates, numbers and
lists are written by knowledge/formatting.py, as in answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.formatting import format_day, format_list, format_number
from knowledge.periods import State
from knowledge.rules.loader import RuleBook
from knowledge.rules.schema import InputSpec, Tensed, Text
from knowledge.schema import Lang


@dataclass(frozen=True)
class Renderer:
    """Formats values and fills text templates for one language and one as-of date."""

    book: RuleBook
    lang: Lang
    as_of: dt.date

    def date(self, value: dt.date) -> str:
        """Write a date the way answers do (21 February 2022, 21 februari 2022, 21. 2. 2022)."""
        return format_day(value, self.lang)

    def number(self, value: float) -> str:
        """Write a number with the language's separators and without a useless '.0'."""
        return format_number(value, self.lang)

    def value(self, spec: InputSpec, value: object) -> str:
        """Write a parsed input value for use inside a sentence (a list as "a, b and c")."""
        if isinstance(value, list):
            return format_list((self._item(spec, v) for v in value), self.lang)
        return self._item(spec, value)

    def _item(self, spec: InputSpec, value: object) -> str:
        if isinstance(value, dt.date):
            return self.date(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.number(value)
        if spec.type in ("country", "country_list"):
            return self.book.lexicon.country(str(value)).name(self.lang)
        return str(value)

    def fact_value(self, fact_id: str) -> str:
        """Write a fact's value: a date as its source gives it ("in May 2022"), or a threshold."""
        if fact_id in self.book.key_dates:
            return self.book.when(fact_id, self.lang)
        value = self.book.facts[fact_id].value
        return self.number(value) if isinstance(value, (int, float)) else ""

    def context(self, inputs: list[InputSpec], values: Mapping[str, object]) -> dict[str, str]:
        """Build the placeholder values: every fact, every given input and ``<list input>_count``."""
        context = {fid: self.fact_value(fid) for fid in self.book.facts}
        for spec in inputs:
            if spec.name in values:
                value = values[spec.name]
                context[spec.name] = self.value(spec, value)
                if isinstance(value, list):
                    context[f"{spec.name}_count"] = str(len(value))
        return context

    def text(self, text: Text, tense: State | None, context: Mapping[str, str]) -> str:
        """Pick the variant of a text for where its date stands, and fill its placeholders.

        Args:
            text: A plain or tensed text.
            tense: Where the date it depends on stands (past, uncertain, ahead); None for plain texts.
            context: The placeholder values.

        Returns:
            The past text once the date lies behind, ``during`` (else the future text) while it
            may or may not, the future text before it.
        """
        if isinstance(text, Tensed):
            during = text.during or text.future
            variant = text.past if tense == "past" else during if tense == "uncertain" else text.future
        else:
            variant = text
        return variant.get(self.lang).format_map(context).strip()

    def fact(self, fact_id: str, context: Mapping[str, str]) -> str:
        """Write what a fact says, in the tense its own date calls for as of ``as_of``."""
        says = self.book.facts[fact_id].says
        tense = self.book.state(fact_id, self.as_of)
        return self.text(says, tense, {**context, "date": self.fact_value(fact_id)})
