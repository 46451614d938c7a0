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
from knowledge.rules.loader import RuleBook
from knowledge.rules.schema import Fact, InputSpec, Tensed, Text
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

    def fact_value(self, fact: Fact) -> str:
        """Write a fact's value (a date or a threshold)."""
        if isinstance(fact.value, dt.date):
            return self.date(fact.value)
        return "" if fact.value is None else self.number(fact.value)

    def context(self, inputs: list[InputSpec], values: Mapping[str, object]) -> dict[str, str]:
        """Build the placeholder values: every fact, every given input and ``<list input>_count``."""
        context = {fid: self.fact_value(fact) for fid, fact in self.book.facts.items()}
        for spec in inputs:
            if spec.name in values:
                value = values[spec.name]
                context[spec.name] = self.value(spec, value)
                if isinstance(value, list):
                    context[f"{spec.name}_count"] = str(len(value))
        return context

    def text(self, text: Text, past: bool, context: Mapping[str, str]) -> str:
        """Pick the tense variant of a text and fill its placeholders."""
        variant = (text.past if past else text.future) if isinstance(text, Tensed) else text
        return variant.get(self.lang).format_map(context).strip()

    def fact(self, fact: Fact, context: Mapping[str, str]) -> str:
        """Write what a fact says, in the tense its own date calls for as of ``as_of``."""
        return self.text(fact.says, fact.is_past(self.as_of), {**context, "date": self.fact_value(fact)})
