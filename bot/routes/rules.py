"""Rules endpoints: list the rules and evaluate one for a user's case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.deps import RetrieverDep, SettingsDep
from bot.schemas import RuleCheckCreate
from knowledge import rules

router = APIRouter(prefix="/api/rules", tags=["rules"])


@router.get("")
def list_rules() -> list[dict[str, Any]]:
    """Every rule with its inputs, their types, prompts (en/nl/sl) and examples."""
    return [spec.model_dump() for spec in rules.list_rules()]


@router.post("/{rule}", response_model=rules.Verdict)
def check_rule(
    rule: str, body: RuleCheckCreate, settings: SettingsDep, retriever: RetrieverDep
) -> rules.Verdict:
    """Evaluate ``rule`` for the given inputs; missing inputs give verdict need_more."""
    lang = retriever.resolve_lang("", body.lang)
    return rules.evaluate(rule, body.inputs, lang=lang, as_of=body.as_of or settings.as_of)
