"""Rules endpoints: list the rules and evaluate one for a user's case."""

from __future__ import annotations

from fastapi import APIRouter

from bot import errors
from bot.deps import RetrieverDep, SettingsDep
from bot.schemas import RuleCheckCreate
from knowledge import rules

router = APIRouter(prefix="/api/rules", tags=["rules"])
UNKNOWN_RULE = errors.problem_body(
    404,
    "unknown rule: 'nope'; known rules: group_migration, twinspace_migration, …",
    kind="unknown-rule",
    title="Unknown rule",
    known=["group_migration", "twinspace_migration"],
)
INVALID_INPUT = errors.problem_body(
    422,
    "last_activity: not a date: 'last year'",
    kind="validation",
    title="The request is not valid",
    errors=[{"field": "last_activity", "message": "not a date: 'last year'", "example": "2021-06-15"}],
)


@router.get("", response_model=list[rules.RuleSpec])
def list_rules() -> list[rules.RuleSpec]:
    """Every rule with its inputs, their types, prompts (en/nl/sl) and examples."""
    return rules.list_rules()


@router.post(
    "/{rule}",
    response_model=rules.Verdict,
    responses=errors.responses(
        400,
        s404=("No such rule (the known ones are listed)", UNKNOWN_RULE),
        s422=("Invalid request, or an input the rule cannot read (with a valid example)", INVALID_INPUT),
    ),
)
def check_rule(
    rule: str, body: RuleCheckCreate, settings: SettingsDep, retriever: RetrieverDep
) -> rules.Verdict:
    """Evaluate ``rule`` (one of the names GET /api/rules lists) for the given inputs.

    Missing inputs give verdict need_more.
    """
    lang = retriever.resolve_lang("", body.lang)
    return rules.evaluate(rule, body.inputs, lang=lang, as_of=body.as_of or settings.as_of)
