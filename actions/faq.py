"""FAQ answers through the knowledge retrieval (the same code as POST /api/ask).

A question gets its answer, and when a rule can check the teacher's own case on that topic the
check is offered as a button. A short or ambiguous question is asked back with the closest
topics (knowledge/chat_queries.py). A message nobody can read gets a request to rephrase with
the most asked topics as buttons, and the next one the offer of a person, as a button: nobody is
put in the agents' queue without asking for it.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import as_of, get_retriever, language, latest_intent, leave_form, report, slot_text
from conversation.reply_items import ReplyKind
from knowledge.chat_queries import expand_shorthand, settle
from knowledge.retrieve import Answer
from knowledge.rules import list_rules
from knowledge.rules.topics import rule_topics, rules_for_topic
from knowledge.schema import Lang
from knowledge.sources import answer_source_lines

MAX_OFFERS = 2
STARTER_TOPICS = ("register-eu-login", "content-migrated", "groups-migration", "twinspace-content")
"""Topics offered as buttons when a message could not be read (among the most asked)."""
UNREADABLE = "nonsense"  # the intent of keyboard mashing: no retrieval, straight to rephrase


def source_line(answer: Answer) -> str:
    """One 'Title (date), section: url' line per document the answer cites (knowledge.sources)."""
    return "\n".join(answer_source_lines(answer.sources, answer.lang))


def faq_button(faq_id: str, lang: Lang) -> dict[str, str]:
    """A button that asks for one topic's answer."""
    question = get_retriever().kb.topic(faq_id).variant_for(lang).question[lang]
    return {"title": question, "payload": "/ask_faq" + json.dumps({"faq_id": faq_id})}


def check_buttons(rules: list[str], lang: Lang) -> list[dict[str, str]]:
    """One button per rule that starts the check of the teacher's own case."""
    titles = {r.name: r.title.get(lang) for r in list_rules()}
    return [{"title": titles[r], "payload": f"/check_{r}"} for r in rules[:MAX_OFFERS]]


def say_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer, offer: list[str] | None = None
) -> list[dict[str, Any]]:
    """Utter an FAQ answer with its source and notes, offer the checks of ``offer`` (default:
    the rules that speak to its topic), report it; returns the slot events."""
    lang = language(tracker)
    source = source_line(answer)
    dispatcher.utter_message(response="utter_faq_answer", answer=answer.answer, source=source)
    if answer.notes:
        dispatcher.utter_message(response="utter_faq_notes", notes="\n".join(f"- {n}" for n in answer.notes))
    rules = rules_for_topic(answer.faq_id) if offer is None else offer
    if rules:
        dispatcher.utter_message(response="utter_offer_check", buttons=check_buttons(rules, lang))
    found = {"faq_id": answer.faq_id, "confidence": answer.confidence, "status": answer.status}
    report(
        dispatcher,
        tracker,
        ReplyKind.FAQ,
        **found,
        sources=tuple(source.split("\n")),
        notes=tuple(answer.notes),
    )
    return [
        SlotSet("fallback_count", 0),
        SlotSet("faq_id", answer.faq_id),
        SlotSet("last_answer", f"faq:{answer.faq_id}"),
        SlotSet("rule_context", rules[:MAX_OFFERS] or tracker.get_slot("rule_context")),
    ]


class ActionAnswerFaq(Action):
    """Answers, asks back with the closest topics, or asks to rephrase (then offers a person)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Map the retrieval status to responses; a waiting form is left for the new question."""
        return leave_form(tracker) + answer_question(dispatcher, tracker)


def answer_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer_rule: str | None = None
) -> list[dict[str, Any]]:
    """Answer the latest message from the knowledge base (shared with the rule actions).

    Args:
        dispatcher: The action's dispatcher.
        tracker: The conversation.
        offer_rule: A rule whose check to offer with the answer if its topic is one the rule
            speaks to (the check the message's intent asked for).
    """
    retriever, lang = get_retriever(), language(tracker)
    chosen = next(tracker.get_latest_entity_values("faq_id"), None)
    if chosen in retriever.kb.topics:
        return say_answer(dispatcher, tracker, retriever.compose(str(chosen), lang, as_of=as_of()))
    if latest_intent(tracker) == UNREADABLE:
        return missed(dispatcher, tracker, None)
    question = expand_shorthand(slot_text(tracker))
    answer = settle(retriever.ask(question, lang, as_of()), question)
    if answer.status == "answered":
        offer = rules_for_topic(answer.faq_id)
        if offer_rule and answer.faq_id in rule_topics(offer_rule):
            offer = list(dict.fromkeys([offer_rule, *offer]))
        return say_answer(dispatcher, tracker, answer, offer=offer)
    if answer.status == "clarify":
        options = [answer.faq_id, *(a.faq_id for a in answer.alternatives[:2])]
        dispatcher.utter_message(response="utter_faq_clarify", buttons=[faq_button(f, lang) for f in options])
        report(
            dispatcher,
            tracker,
            ReplyKind.CLARIFY,
            faq_id=answer.faq_id,
            confidence=answer.confidence,
            status="clarify",
        )
        return [SlotSet("fallback_count", 0)]
    return missed(dispatcher, tracker, answer)


def missed(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer | None) -> list[dict[str, Any]]:
    """No answer: the first miss asks to rephrase with starter topics, the next offers a person."""
    misses = int(tracker.get_slot("fallback_count") or 0) + 1
    topics = [faq_button(t, language(tracker)) for t in STARTER_TOPICS]
    response = "utter_faq_rephrase" if misses == 1 else "utter_offer_human"
    dispatcher.utter_message(response=response, buttons=topics if misses == 1 else [])
    found = {"faq_id": answer.faq_id, "confidence": answer.confidence} if answer else {}
    report(
        dispatcher, tracker, ReplyKind.FALLBACK, **found, status="fallback" if misses == 1 else "offer_human"
    )
    return [SlotSet("fallback_count", misses)]
