"""Exceptions of the rules module.

Callers (the HTTP layer, Rasa actions, the CLI) catch ``RulesError`` and map its subclasses to
their own answers (404, 422, a re-asked question); ``RuleDataError`` is a bug in the YAML and
should surface as a server error.
"""

from __future__ import annotations


class RulesError(Exception):
    """Base class of the errors a caller of ``evaluate`` can cause."""


class UnknownRuleError(RulesError):
    """The rule name is not one of the known rules."""

    def __init__(self, rule: str, known: list[str]) -> None:
        self.rule = rule
        self.known = known
        super().__init__(f"unknown rule: {rule!r}; known rules: {', '.join(known)}")


class InvalidInputError(RulesError):
    """An input value cannot be read as the type the rule asks for."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class RuleDataError(Exception):
    """The rule YAML is inconsistent (a dangling reference, a missing placeholder...)."""
