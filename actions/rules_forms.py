"""Forms that collect a rule's inputs, one form per rule with inputs (domain/rule_forms.yml).

Every message a form sees is read for every input of its rule (knowledge/rules/answers.py), the
one that started it included, so a form asks only what is still missing, and the rules decide
(``assess``) which inputs are still needed: a form stops asking as soon as the answer is known.
A date given as a month or a year stays one; the form asks for the day only when the rule's
answer changes inside it.

While a form waits, a message that answers nothing and is something else (a new question,
"I don't know", thanks, a complaint) rejects the form, so that the rules answer it; the action
that does leaves the form. A question about how things work in general that started the form
("what happens to my mailbox messages?", "groups") ends it at once: the verdict action answers it
from the FAQ and offers the check as a button. A form starts asking only when the teacher asks
about their own case ("will my group be migrated?") or asks for the check.

The per-form and per-slot classes differ only in their names; they are generated from the rule
specs below instead of being written out many times.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import (
    as_of,
    get_retriever,
    intent_confidence,
    is_payload,
    language,
    latest_intent,
    report,
    slot_text,
)
from conversation.reply_items import ReplyKind
from knowledge.chat_queries import settle
from knowledge.rules import InvalidInputError, list_rules
from knowledge.rules.answers import Reading, input_spec, read_facts
from knowledge.rules.message_kinds import asks_for_check, is_general_question, is_own_case
from knowledge.rules.spans import Assessment, assess, span_of
from knowledge.rules.topics import rules_for_topic
from knowledge.rules.wording import choice_label, example_text

FORM_SUFFIX = "_form"
SURE_TOPIC = 0.9
"""An FAQ answer at least this confident on a topic without a check of this rule comes first."""
SURE_CHECK = 0.9
"""Below this NLU confidence in the check intent, an own-case question that the FAQ answers on a
topic without this rule's check is answered first: "can I log in with my old account?" is
caught as the profile check at 0.54–0.79, "can our project get an NQL? I'm the founder" at 0.99."""
CHECK_PREFIX = "check_"
# Intents whose messages are not answers when they give no fact: the form is left for them.
LEAVING = frozenset(
    {"ask_faq", "out_of_scope", "chitchat", "dont_know", "feedback_negative", "feedback_positive", "thanks"}
)
# What a question says first about the last answer (form_notice kind -> response).
NOTICES = {
    "unreadable": "utter_rule_unreadable",
    "future": "utter_rule_future",
    "too_early": "utter_rule_too_early",
    "after_platform": "utter_rule_after_platform",
}


def rule_inputs(rule: str, tracker: Tracker) -> dict[str, Any]:
    """The inputs of ``rule`` that are already in slots."""
    spec = next(r for r in list_rules() if r.name == rule)
    return {i.name: tracker.get_slot(i.name) for i in spec.inputs if tracker.get_slot(i.name) is not None}


def leaves(rule: str, intent: str | None, text: str) -> bool:
    """Whether a message that gave no fact is something other than an answer to the form."""
    if intent in LEAVING:
        return True
    if intent and intent.startswith(CHECK_PREFIX) and intent != CHECK_PREFIX + rule:
        return True
    return intent in ("nlu_fallback", "inform") and text.rstrip().endswith("?")


def next_question(rule: str, values: dict[str, Any], tracker: Tracker) -> tuple[Assessment, dict[str, Any]]:
    """The rule's assessment of ``values`` and the values it accepts (a bad one is dropped)."""
    values = dict(values)
    while True:
        try:
            return assess(rule, values, language(tracker), as_of()), values
        except InvalidInputError as err:
            if err.field not in values:
                raise
            values.pop(err.field)


def _previous_action(tracker: Tracker, form: str) -> str | None:
    """The action before the form's own run (``action_listen``: the form reads a new message)."""
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    if actions and actions[-1] == form:
        actions.pop()
    return next((a for a in reversed(actions) if a != "action_extract_slots"), None)


class RuleFormValidation(FormValidationAction):
    """Reads a rule's inputs from each message and picks the next question; subclasses set ``rule``."""

    rule: ClassVar[str] = ""

    def name(self) -> str:
        """validate_<rule>_form."""
        return f"validate_{self.rule}{FORM_SUFFIX}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Slot events for what the message says, the next question, or a rejection."""
        intent, text, lang = latest_intent(tracker), slot_text(tracker), language(tracker)
        pending = tracker.slots_to_validate()  # the text the form's mapping put in the asked slot
        known = {n: v for n, v in rule_inputs(self.rule, tracker).items() if n not in pending}
        if (
            _previous_action(tracker, self.rule + FORM_SUFFIX) != "action_listen" and not pending
        ):  # back after an interruption
            assessment, _ = next_question(self.rule, known, tracker)
            return [SlotSet("requested_slot", _first_missing(assessment))]
        asked, starting = tracker.get_slot("requested_slot"), intent == CHECK_PREFIX + self.rule
        reading = read_facts(
            self.rule, "" if is_payload(tracker) else text, lang=lang, as_of=as_of(), requested=asked,
            intent=intent, known=known,
        )  # fmt: skip
        if not reading.values and not starting and not pending:
            return []  # a message the slot mapping skips (stop, a greeting): Rasa rejects, rules answer
        if not reading.values and asked and asked not in known and leaves(self.rule, intent, text):
            return [
                *(SlotSet(n, None) for n in pending),
                ActionExecutionRejected(f"{self.rule}{FORM_SUFFIX}"),
            ]
        if starting and not reading.values and not asks_for_check(text) and self.answer_first(tracker, text):
            cleared = [SlotSet(n, None) for n in pending]  # action_check_rule answers it as a question
            return [*cleared, SlotSet("answer_first", True), SlotSet("requested_slot", None)]
        given = {n: v for n, v in reading.values.items() if n not in reading.doubts}
        assessment, accepted = next_question(self.rule, {**known, **given}, tracker)
        slots: dict[str, Any] = dict.fromkeys(pending)
        slots.update({n: accepted.get(n) for n in given})  # None: the rules refused it
        slots.update(dict.fromkeys(reading.doubts))  # asked again, with the doubt
        if assessment.vague:
            slots[assessment.vague] = None  # asked again, for the day
        notice = _notice(
            asked,
            pending=pending,
            reading=reading,
            assessment=assessment,
            offered={**known, **given},
            accepted=accepted,
        )
        return [
            *(SlotSet(n, v) for n, v in slots.items()),
            SlotSet("form_notice", notice),
            SlotSet("answer_first", None),
            SlotSet("requested_slot", _first_missing(assessment)),
        ]

    def answer_first(self, tracker: Tracker, text: str) -> bool:
        """Whether the message that started the form is to be answered as a question first: it
        asks how things work in general or names only a topic ("groups"); or the FAQ answers it
        on a topic that is not this rule's, and that topic has a check of its own ("can we keep
        working in our old TwinSpace?" is about running projects before it is about the
        migration), or the FAQ is sure of it, or the NLU is not sure of the check ("can I log in
        with my old account?" is not the profile migration). Otherwise the form asks."""
        if is_own_case(text) and not is_general_question(text):
            answer = settle(get_retriever().ask(text, language(tracker), as_of()), text)
            checks = rules_for_topic(answer.faq_id)
            if answer.status != "answered" or self.rule in checks:
                return False
            return bool(checks) or answer.confidence >= SURE_TOPIC or intent_confidence(tracker) < SURE_CHECK
        return True


def _first_missing(assessment: Assessment) -> str | None:
    verdict = assessment.verdict
    return verdict.missing[0] if verdict.verdict == "need_more" and verdict.missing else None


def _notice(
    asked: str | None,
    *,
    pending: dict[str, Any],
    reading: Reading,
    assessment: Assessment,
    offered: dict[str, Any],
    accepted: dict[str, Any],
) -> dict[str, Any] | None:
    """What the next question must say first: a date to pin down, a doubtful date, an answer
    that could not be read or was refused (quoted), or nothing."""
    if assessment.vague and assessment.boundary:
        span = offered.get(assessment.vague)
        return {
            "kind": "precise",
            "slot": assessment.vague,
            "span": span,
            "boundary": assessment.boundary.isoformat(),
        }
    for name, doubt in reading.doubts.items():
        return {
            "kind": doubt,
            "slot": name,
            "span": reading.values[name],
            "words": reading.relative.get(name, ""),
        }
    if asked and asked in pending and asked not in accepted:
        return {"kind": "unreadable", "slot": asked, "raw": str(pending[asked])[:80]}
    return None


class AskRuleInput(Action):
    """Asks for one rule input, with one example in the teacher's language and format, yes/no
    or choice quick replies and a quick reply to stop; subclasses set ``slot``."""

    slot: ClassVar[str] = ""

    def name(self) -> str:
        """action_ask_<slot>."""
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say what went wrong with the last answer, if anything, then ask."""
        loop = (tracker.active_loop or {}).get("name") or ""
        rules = [r.name for r in list_rules() if any(i.name == self.slot for i in r.inputs)]
        rule = loop.removesuffix(FORM_SUFFIX) if loop.removesuffix(FORM_SUFFIX) in rules else rules[0]
        spec, lang = input_spec(rule, self.slot), language(tracker)
        example = example_text(spec, lang) or ""
        notice = tracker.get_slot("form_notice") or {}
        if notice.get("slot") == self.slot and notice.get("kind") == "precise":
            day = example_text(spec, lang, unless_prompted=False) or ""  # the prompt is not repeated
            dispatcher.utter_message(
                response="utter_rule_precise", **_notice_values(notice, lang), example=day
            )
        else:
            if notice.get("slot") == self.slot and notice.get("kind") in NOTICES:
                dispatcher.utter_message(response=NOTICES[notice["kind"]], **_notice_values(notice, lang))
            response = (
                "utter_rule_question_yes_no"
                if spec.type == "bool"
                else "utter_rule_question_example"
                if example
                else "utter_rule_question"
            )
            buttons = [
                {"title": choice_label(c, lang), "payload": choice_label(c, lang)} for c in spec.choices or []
            ]
            dispatcher.utter_message(
                response=response, prompt=spec.prompt.get(lang), example=example, buttons=buttons
            )
        report(dispatcher, tracker, ReplyKind.FORM_QUESTION, rule=rule, status=f"ask:{self.slot}")
        return [SlotSet("form_notice", None)] if notice else []


def _notice_values(notice: dict[str, Any], lang: str) -> dict[str, str]:
    """The notice's values as the responses write them."""
    from knowledge.formatting import format_day

    span = span_of(notice.get("span"))
    values = {"raw": str(notice.get("raw", "")), "words": str(notice.get("words", ""))}
    values["span"] = span.name(lang) if span else ""  # type: ignore[arg-type]
    boundary = span_of(notice.get("boundary"))
    values["boundary"] = format_day(boundary.first, lang) if boundary else ""  # type: ignore[arg-type]
    return values


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
