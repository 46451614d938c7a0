"""Rules: sourced, date-aware verdicts for a teacher's own case, explained in EN/NL/SL.

The HTTP layer (``bot/routes/rules.py``), the Rasa actions and the CLI call only this API::

    from knowledge.rules import evaluate, list_rules
    verdict = evaluate("group_migration", {"last_activity": "15.6.2021"}, lang="nl")

Dates, thresholds and texts live in ``knowledge/rules/data/*.yml``; nothing is loaded at
import time (the rule book is read on first use and cached).
"""

from knowledge.rules.engine import evaluate, list_rules, parse_input
from knowledge.rules.errors import (
    InvalidInputError,
    RuleDataError,
    RulesError,
    UnknownRuleError,
)
from knowledge.rules.schema import (
    InputSpec,
    Reason,
    RuleSpec,
    Source,
    Verdict,
    VerdictKind,
)

__all__ = [
    "InputSpec",
    "InvalidInputError",
    "Reason",
    "RuleDataError",
    "RuleSpec",
    "RulesError",
    "Source",
    "UnknownRuleError",
    "Verdict",
    "VerdictKind",
    "evaluate",
    "list_rules",
    "parse_input",
]
