"""Forms that collect a rule's inputs, and the action that gives the verdict.

One form per rule with inputs (domain/rule_forms.yml). The rules module decides which inputs
are still needed (``need_more``), so a form stops asking as soon as the answer is known. The
per-form and per-slot action classes differ only in their names; they are generated from
the rule specs below instead of being written out twenty-eight times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import as_of, language, latest_intent, report
from conversation.reply_items import ReplyKind
from knowledge.rules import InvalidInputError, Verdict, evaluate, list_rules
from knowledge.rules.answers import input_spec, read_answer

FORM_SUFFIX = "_form"
CHECK_PREFIX = "check_"


def rule_inputs(rule: str, tracker: Tracker) -> dict[str, Any]:
    """The inputs of ``rule`` that are already in slots."""
    spec = next(r for r in list_rules() if r.name == rule)
    return {i.name: tracker.get_slot(i.name) for i in spec.inputs if tracker.get_slot(i.name) is not None}


def _storable(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


class RuleFormValidation(FormValidationAction):
    """Validates the slots of one rule's form; subclasses set ``rule``."""

    rule: ClassVar[str] = ""

    def name(self) -> str:
        """validate_<rule>_form."""
        return f"validate_{self.rule}{FORM_SUFFIX}"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The inputs the rule still needs; none once the verdict is decided.

        Before validation a slot may still hold the raw text ("junija 2021"); then every input
        stays required and validation reads or clears it.
        """
        try:
            verdict = evaluate(self.rule, rule_inputs(self.rule, tracker), language(tracker), as_of())
        except InvalidInputError:
            return domain_slots
        return verdict.missing if verdict.verdict == "need_more" else []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Parse each newly filled slot; a bad answer is cleared and re-asked with an example."""
        events: list[dict[str, Any]] = []
        lang = language(tracker)
        for slot, raw in tracker.slots_to_validate().items():
            if slot not in self.domain_slots(domain) or raw is None:
                continue
            try:
                value = read_answer(
                    self.rule, slot, str(raw), lang=lang, as_of=as_of(), intent=latest_intent(tracker)
                )
            except InvalidInputError:
                example = input_spec(self.rule, slot).example
                dispatcher.utter_message(response="utter_invalid_value", reason=f"'{raw}'", example=example)
                report(dispatcher, tracker, ReplyKind.FORM_QUESTION, rule=self.rule, status=f"invalid:{slot}")
                events.append(SlotSet(slot, None))
                continue
            events.append(SlotSet(slot, _storable(value)))
        return events


class AskRuleInput(Action):
    """Asks for one rule input with the prompt from the rules data; subclasses set ``slot``."""

    slot: ClassVar[str] = ""

    def name(self) -> str:
        """action_ask_<slot>."""
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the prompt of the active form's rule for this input."""
        loop = (tracker.active_loop or {}).get("name") or ""
        rules = [r.name for r in list_rules() if any(i.name == self.slot for i in r.inputs)]
        rule = loop.removesuffix(FORM_SUFFIX) if loop.removesuffix(FORM_SUFFIX) in rules else rules[0]
        spec = input_spec(rule, self.slot)
        dispatcher.utter_message(
            response="utter_rule_prompt", prompt=spec.prompt.get(language(tracker)), example=spec.example
        )
        report(dispatcher, tracker, ReplyKind.FORM_QUESTION, rule=rule, status=f"ask:{self.slot}")
        return []


def requested_rule(tracker: Tracker) -> str | None:
    """The rule of the latest ``check_<rule>`` intent in the conversation."""
    for event in reversed(tracker.events):
        name = (
            (event.get("parse_data") or {}).get("intent", {}).get("name")
            if event.get("event") == "user"
            else None
        )
        if name and name.startswith(CHECK_PREFIX):
            return str(name).removeprefix(CHECK_PREFIX)
    return None


def verdict_sources(verdict: Verdict) -> list[str]:
    """The documents a verdict rests on, one citation each."""
    return [f"{s.title} ({s.date.isoformat() if s.date else s.publisher})" for s in verdict.sources]


class ActionCheckRule(Action):
    """Evaluates the requested rule with the collected inputs and utters the verdict."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_check_rule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter explanation and sources in the user's language."""
        rule = requested_rule(tracker)
        if rule is None:
            dispatcher.utter_message(response="utter_anything_else")
            report(dispatcher, tracker, ReplyKind.SMALL_TALK)
            return []
        verdict = evaluate(rule, rule_inputs(rule, tracker), language(tracker), as_of())
        sources = verdict_sources(verdict)
        dispatcher.utter_message(
            response="utter_rule_verdict", explanation=verdict.explanation, sources="; ".join(sources)
        )
        report(
            dispatcher,
            tracker,
            ReplyKind.RULE_VERDICT,
            rule=rule,
            status=verdict.verdict,
            sources=tuple(sources),
        )
        return []


class ActionStopForm(Action):
    """Stops the active form at the user's request."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_stop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Deactivate the loop and confirm."""
        dispatcher.utter_message(response="utter_form_stopped")
        rule = ((tracker.active_loop or {}).get("name") or "").removesuffix(FORM_SUFFIX) or None
        report(dispatcher, tracker, ReplyKind.SMALL_TALK, rule=rule, status="form_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


def _named(name: str, base: type[Action], attrs: dict[str, str]) -> type[Action]:
    """A subclass that lives in this module under ``name``: the standalone rasa-sdk server
    pickles its executor for the worker process, and pickle finds classes by module and name."""
    cls = type(name, (base,), {**attrs, "__module__": __name__})
    globals()[name] = cls
    return cls


def _generate() -> dict[str, type[Action]]:
    """One validation class per rule with inputs and one ask class per input slot."""
    classes: dict[str, type[Action]] = {}
    for spec in list_rules():
        if spec.inputs:
            classes[spec.name] = _named(
                f"Validate{spec.name.title()}Form", RuleFormValidation, {"rule": spec.name}
            )
        for item in spec.inputs:
            if f"ask:{item.name}" not in classes:
                classes[f"ask:{item.name}"] = _named(
                    f"AskRuleInput_{item.name}", AskRuleInput, {"slot": item.name}
                )
    return classes


GENERATED = _generate()
