"""Exceptions of the rules module.

Callers (the HTTP layer, Rasa actions, the CLI) catch ``RulesError`` and map its subclasses to
their own answers (404, 422, a re-asked question); ``RuleDataError`` is a bug in the YAML and
should surface as a server error.
"""

from __future__ import annotations

NAME_CHARS = 60
"""How much of a caller-supplied name (rule, input) a message repeats."""


def _cut(name: str) -> str:
    return name if len(name) <= NAME_CHARS else f"{name[:NAME_CHARS]}…"


class RulesError(Exception):
    """Base class of the errors a caller of ``evaluate`` can cause."""


class UnknownRuleError(RulesError):
    """The rule name is not one of the known rules."""

    def __init__(self, rule: str, known: list[str]) -> None:
        self.rule = _cut(rule)
        self.known = known
        super().__init__(f"unknown rule: {self.rule!r}; known rules: {', '.join(known)}")


class InvalidInputError(RulesError):
    """An input value cannot be read as the type the rule asks for.

    Attributes:
        field: The input's name (cut to ``NAME_CHARS``: it may come from a stranger).
        reason: Why, quoting at most a short piece of the value.
        example: A value that would be accepted, when the input is known.
    """

    def __init__(self, field: str, reason: str, *, example: str | None = None) -> None:
        self.field = _cut(field)
        self.reason = reason
        self.example = example
        super().__init__(f"{self.field}: {reason}")


class RuleDataError(Exception):
    """The rule YAML is inconsistent (a dangling reference, a missing placeholder...)."""
