"""FAQ answers through the knowledge retrieval (the same code as POST /api/ask)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import as_of, get_retriever, language, report, slot_text
from conversation.reply_items import ReplyKind
from knowledge.retrieve import Answer

MAX_FALLBACKS = 2


def source_line(answer: Answer) -> str:
    """'Title (date), section: url' of the answer's own source."""
    src = answer.sources[0]
    line = f"{src.title} ({src.date}), {src.section}"
    return f"{line}: {src.url}" if src.url else line


class ActionAnswerFaq(Action):
    """Answers, offers alternatives, or asks to rephrase (and hands over on the second miss)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Map the retrieval status to responses and the fallback counter."""
        retriever = get_retriever()
        lang = language(tracker)
        chosen = next(tracker.get_latest_entity_values("faq_id"), None)
        if chosen in retriever.kb.topics:
            answer = retriever.compose(str(chosen), lang, as_of=as_of())
        else:
            answer = retriever.ask(slot_text(tracker), lang, as_of())
        found = {"faq_id": answer.faq_id, "confidence": answer.confidence, "status": answer.status}
        if answer.status == "answered":
            source = source_line(answer)
            dispatcher.utter_message(response="utter_faq_answer", answer=answer.answer, source=source)
            if answer.notes:
                dispatcher.utter_message(
                    response="utter_faq_notes", notes="\n".join(f"- {n}" for n in answer.notes)
                )
            report(dispatcher, tracker, ReplyKind.FAQ, **found, sources=(source,), notes=tuple(answer.notes))
            return [SlotSet("fallback_count", 0), SlotSet("faq_id", answer.faq_id)]
        if answer.status == "clarify":
            options = [
                (answer.faq_id, answer.question),
                *((a.faq_id, a.question) for a in answer.alternatives[:2]),
            ]
            buttons = [{"title": q, "payload": "/ask_faq" + json.dumps({"faq_id": f})} for f, q in options]
            dispatcher.utter_message(response="utter_faq_clarify", buttons=buttons)
            report(dispatcher, tracker, ReplyKind.CLARIFY, **found)
            return [SlotSet("fallback_count", 0)]
        misses = int(tracker.get_slot("fallback_count") or 0) + 1
        if misses >= MAX_FALLBACKS:  # action_handoff says what happened
            return [SlotSet("fallback_count", 0), FollowupAction("action_handoff")]
        dispatcher.utter_message(response="utter_faq_rephrase")
        report(dispatcher, tracker, ReplyKind.FALLBACK, **found)
        return [SlotSet("fallback_count", misses)]
