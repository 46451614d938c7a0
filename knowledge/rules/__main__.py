"""Command line: evaluate a rule or list the rules.

    python -m knowledge.rules group_migration last_activity=2021-06-15 --lang nl [--as-of 2026-11-26] [--json]
    python -m knowledge.rules --list [--lang sl] [--json]

Exit status 0 on a verdict, 2 on an unknown rule or a bad input (the message goes to stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence

from knowledge.rules.engine import evaluate, list_rules, resolve_lang
from knowledge.rules.errors import InvalidInputError, RulesError
from knowledge.rules.loader import load_rulebook
from knowledge.rules.parsing import parse_date
from knowledge.rules.schema import RuleSpec, Verdict
from knowledge.schema import Lang


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` if None.

    Returns:
        The exit status.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.list and not args.rule:
        parser.error("give a rule name or --list")
    try:
        lang = resolve_lang(args.lang)
        if args.list:
            specs = list_rules()
            print(
                json.dumps([s.model_dump() for s in specs], ensure_ascii=False, indent=2)
                if args.json
                else _format_specs(specs, lang)
            )
            return 0
        as_of = _as_of(args.as_of)
        verdict = evaluate(args.rule, _inputs(args.inputs), lang=lang, as_of=as_of)
    except RulesError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(verdict.model_dump_json(indent=2) if args.json else _format_verdict(verdict))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge.rules", description=__doc__.splitlines()[0])
    parser.add_argument("rule", nargs="?", help="rule name, e.g. group_migration")
    parser.add_argument(
        "inputs", nargs="*", metavar="name=value", help="inputs; lists as 'BE, SI' or '[BE, SI]'"
    )
    parser.add_argument("--lang", default="en", help="en, nl or sl (default en)")
    parser.add_argument("--as-of", help="evaluate as of this date (default today)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--list", action="store_true", help="list the rules and their inputs")
    return parser


def _inputs(pairs: Sequence[str]) -> dict[str, object]:
    inputs: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInputError(pair, "expected name=value")
        inputs[name.strip()] = value
    return inputs


def _as_of(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return parse_date(raw, load_rulebook().lexicon)
    except ValueError as err:
        raise InvalidInputError("as_of", str(err)) from err


def _format_verdict(verdict: Verdict) -> str:
    messages = load_rulebook().messages
    label = {key: text.get(verdict.lang) for key, text in messages.labels.items()}
    lines = [
        f"{verdict.rule} ({label['as_of']} {verdict.as_of.isoformat()})",
        f"{label['verdict']}: {messages.verdicts[verdict.verdict].get(verdict.lang)}",
        "",
        verdict.explanation,
    ]
    if verdict.missing:
        lines += ["", f"{label['missing']}: {', '.join(verdict.missing)}"]
    if verdict.reasons:
        lines += ["", f"{label['reasons']}:"] + [f"  - {r.text} [{r.source.entry}]" for r in verdict.reasons]
    if verdict.sources:
        lines += ["", f"{label['sources']}:"]
        lines += [
            f"  - {s.entry}: {s.title}, {s.publisher}{f', {s.date}' if s.date else ''}"
            for s in verdict.sources
        ]
    return "\n".join(lines)


def _format_specs(specs: list[RuleSpec], lang: Lang) -> str:
    label = load_rulebook().messages.labels["inputs"].get(lang)
    lines = []
    for spec in specs:
        inputs = ", ".join(
            f"{i.name} ({i.type}{': ' + '|'.join(i.choices) if i.choices else ''})" for i in spec.inputs
        )
        lines.append(f"{spec.name}: {spec.title.get(lang)}\n    {label}: {inputs or '-'}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
