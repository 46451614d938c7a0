"""Three-valued evaluation of the conditions written in the rule YAML.

A condition is a mapping. ``{all: [...]}``, ``{any: [...]}`` and ``{not: {...}}`` combine
conditions; any other key is an input name (or ``as_of``) with operators, for example
``{last_activity: {lt: $groups_window_start}}``. An operand ``$name`` is the value of fact
``name``; anything else is a literal. Several keys or operators in one mapping must all hold.

A condition on an input that has not been given is *unknown* (``None``), not false: that is
how a rule knows it must ask for more instead of guessing (Kleene logic).

A dated fact's operand is its moment (knowledge/periods.py): the interval of days its source
allows. ``before``, ``within`` and ``after`` compare a date with that interval, which is exact
whatever the precision ("closed in July 2022"); ``lt``, ``le``, ``gt``, ``ge``, ``eq`` and ``ne``
compare with its day and are allowed only on facts the source gives to the day (the loader
checks it), so no comparison is ever finer than its source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from knowledge.periods import Moment
from knowledge.rules.schema import Condition

Truth = bool | None
Values = Mapping[str, object]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b),
    "ne": lambda a, b: bool(a != b),
    "lt": lambda a, b: bool(a < b),
    "le": lambda a, b: bool(a <= b),
    "gt": lambda a, b: bool(a > b),
    "ge": lambda a, b: bool(a >= b),
    "contains": lambda a, b: b in a,
    "one_of": lambda a, b: a in b,
    "contains_any": lambda a, b: bool(set(a) & set(b)),
    "empty": lambda a, b: (len(a) == 0) == bool(b),
    "distinct_ge": lambda a, b: len(set(a)) >= b,
    "distinct_lt": lambda a, b: len(set(a)) < b,
}


_PERIOD: dict[str, Callable[[Any, Moment], bool]] = {
    "before": lambda a, m: bool(a < m.first),
    "within": lambda a, m: bool(m.first <= a <= m.last),
    "after": lambda a, m: bool(a > m.last),
}
DAY_OPERATORS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
PERIOD_OPERATORS = frozenset(_PERIOD)
_OPERATORS = frozenset({*_COMPARE, *_PERIOD, "differs_from", "same_as"})


def check(condition: Condition, values: Values, facts: Mapping[str, object]) -> Truth:
    """Evaluate a condition against the inputs given so far.

    Args:
        condition: The condition from the YAML.
        values: Parsed inputs by name, plus ``as_of``; absent inputs are unknown.
        facts: What each ``$name`` operand stands for: a dated fact's moment, else its value.

    Returns:
        True or False when the inputs decide it, None when a needed input is missing.
    """
    results: list[Truth] = []
    for key, body in condition.items():
        if key == "all":
            results.append(_all(check(part, values, facts) for part in _parts(body)))
        elif key == "any":
            results.append(_any(check(part, values, facts) for part in _parts(body)))
        elif key == "not":
            inner = check(_mapping(body), values, facts)
            results.append(None if inner is None else not inner)
        else:
            results.extend(_leaf(key, op, operand, values, facts) for op, operand in _mapping(body).items())
    return _all(results)


def _leaf(name: str, op: str, operand: object, values: Values, facts: Mapping[str, object]) -> Truth:
    if name not in values:
        return None
    value = values[name]
    if op in ("differs_from", "same_as"):
        other = str(operand)
        if other not in values:
            return None
        same = value == values[other]
        return same if op == "same_as" else not same
    resolved = _resolve(operand, facts)
    if op in _PERIOD:
        assert isinstance(resolved, Moment)  # the loader refuses anything else
        return _PERIOD[op](value, resolved)
    if isinstance(resolved, Moment):
        resolved = resolved.first  # a one-day moment (the loader refuses others)
    return _COMPARE[op](value, resolved)


def _resolve(operand: object, facts: Mapping[str, object]) -> object:
    if isinstance(operand, str) and operand.startswith("$"):
        return facts[operand[1:]]
    return operand


def _all(results: Iterable[Truth]) -> Truth:
    seen = list(results)
    if False in seen:
        return False
    return None if None in seen else True


def _any(results: Iterable[Truth]) -> Truth:
    seen = list(results)
    if True in seen:
        return True
    return None if None in seen else False


def _parts(body: object) -> list[Condition]:
    return [_mapping(part) for part in body] if isinstance(body, list) else []


def _mapping(body: object) -> Condition:
    return {str(k): v for k, v in body.items()} if isinstance(body, dict) else {}


def condition_names(condition: Condition) -> tuple[set[str], set[str]]:
    """Return the input names and fact ids a condition refers to; raise ValueError if malformed."""
    inputs: set[str] = set()
    facts: set[str] = set()
    for key, body in condition.items():
        if key in ("all", "any"):
            if not isinstance(body, list) or not body:
                raise ValueError(f"{key!r} needs a non-empty list")
            parts = [condition_names(_as_condition(part)) for part in body]
        elif key == "not":
            parts = [condition_names(_as_condition(body))]
        else:
            inputs.add(key)
            if not isinstance(body, dict) or not body:
                raise ValueError(f"{key!r} needs a mapping of operators")
            for op, operand in body.items():
                if op not in _OPERATORS:
                    raise ValueError(f"unknown operator {op!r}")
                if op in ("differs_from", "same_as"):
                    inputs.add(str(operand))
                elif isinstance(operand, str) and operand.startswith("$"):
                    facts.add(operand[1:])
            parts = []
        for sub_inputs, sub_facts in parts:
            inputs |= sub_inputs
            facts |= sub_facts
    return inputs, facts


def _as_condition(body: object) -> Condition:
    if not isinstance(body, dict):
        raise ValueError(f"a condition must be a mapping, got {body!r}")  # noqa: TRY004 (caught as bad data)
    return {str(k): v for k, v in body.items()}


def condition_operands(condition: Condition) -> list[tuple[str, str]]:
    """Every (operator, fact id) pair of a well-formed condition, for the loader's checks."""
    found: list[tuple[str, str]] = []
    for key, body in condition.items():
        if key in ("all", "any"):
            for part in body if isinstance(body, list) else []:
                found += condition_operands(_as_condition(part))
        elif key == "not":
            found += condition_operands(_as_condition(body))
        elif isinstance(body, dict):
            found += [
                (str(op), operand[1:])
                for op, operand in body.items()
                if isinstance(operand, str) and operand.startswith("$")
            ]
    return found
