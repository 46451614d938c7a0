"""FAQ answers through the knowledge retrieval (the same code as POST /api/ask).

A question gets its answer, and when a rule can check the teacher's own case on that topic the
check is offered as a button; a question about the teacher's own case that gives the rule's
facts gets the verdict instead. A short or ambiguous question is asked back with the closest
topics (knowledge/chat_queries.py). A message nobody can read gets a request to rephrase with
the most asked topics as buttons, and the next one the offer of a person, as a button: nobody is
put in the agents' queue without asking for it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import leave_form
from actions._replies import answer_question


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
