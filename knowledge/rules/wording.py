"""How a rule's inputs and their values are written for the teacher, in English, Dutch or Slovenian.

A form asks for an input with an example in the teacher's language and format ("15.6.2021",
"België"), offers a rule's choices by their labels, and, when the teacher corrects a fact,
says what changed ("15 June 2021 → in February 2022"). Reading the teacher's answers is
knowledge/rules/answers.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from knowledge.rules.loader import load_rulebook
from knowledge.rules.mentions import cue_data, says_cue
from knowledge.rules.schema import InputSpec
from knowledge.rules.spans import span_of
from knowledge.schema import Lang


def example_text(spec: InputSpec, lang: Lang, *, unless_prompted: bool = True) -> str | None:
    """The input's example as a teacher would type it in ``lang`` ("15.6.2021", "België"), or
    None where quick replies answer (yes/no, one choice) or, ``unless_prompted``, the prompt
    gives its own."""
    if spec.type in ("bool", "choice") or (unless_prompted and mentions_example(spec.prompt.get(lang))):
        return None
    cues = cue_data()
    if spec.type == "date":
        from babel import dates

        day = dt.date.fromisoformat(spec.example)
        return dates.format_date(day, cues["example_date"][lang], locale=lang)
    lexicon = load_rulebook().lexicon
    if spec.type in ("country", "country_list"):
        codes = [c.strip() for c in spec.example.split(",")]
        return ", ".join(lexicon.country(c).name(lang) if c in lexicon.by_code else c for c in codes)
    if spec.type in ("choice", "choice_list"):
        return ", ".join(choice_label(c.strip(), lang) for c in spec.example.split(","))
    return spec.example


def choice_label(choice: str, lang: str) -> str:
    """A rule choice's label in ``lang`` (the choice itself if it has none)."""
    labels: dict[str, dict[str, str]] = cue_data()["choice_labels"]
    return labels.get(choice, {}).get(lang, choice)


def mentions_example(prompt: str) -> bool:
    """Whether a prompt already gives an example ("... for example 15.6.2021")."""
    return says_cue(prompt, "example_markers")


def describe_value(spec: InputSpec, value: object, lang: str) -> str:
    """An input's value as a sentence writes it in ``lang``: "15 June 2021", "in February 2022"
    (a span), "Belgium", "yes", "2,5"."""
    from knowledge.formatting import format_list, format_number

    lexicon = load_rulebook().lexicon
    span = span_of(value) if spec.type == "date" else None
    if isinstance(value, list):
        written = format_list((describe_value(_item_spec(spec), v, lang) for v in value), lang)  # type: ignore[arg-type]
    elif span is not None:
        written = span.name(lang)  # type: ignore[arg-type]
    elif spec.type == "country" and isinstance(value, str) and value in lexicon.by_code:
        written = lexicon.country(value).name(lang)  # type: ignore[arg-type]
    elif isinstance(value, bool):
        written = str(cue_data()["answer_labels"][value][lang])
    elif isinstance(value, (int, float)):
        written = format_number(value, lang)  # type: ignore[arg-type]
    else:
        written = choice_label(str(value), lang) if spec.type in ("choice", "choice_list") else str(value)
    return written


def _item_spec(spec: InputSpec) -> InputSpec:
    item_type = {"country_list": "country", "choice_list": "choice"}.get(spec.type, spec.type)
    return spec.model_copy(update={"type": item_type})


def changed_inputs(old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """The inputs whose value ``new`` gives differently from ``old`` (both slot values)."""
    return [name for name, value in new.items() if name in old and old[name] != value]
