"""Short chat questions: shorthand written out, and vague ones asked back instead of guessed.

Teachers type "profile pic", "pw" or "my stuff". Retrieval is calibrated on the knowledge
base's own paraphrases, which are whole questions; on two or three words a confidence of 0.6
is not what it is on a sentence, and a confident wrong answer with a citation is worse than a
question back. So a short question, or one whose second-best topic is nearly as likely, gets
the closest topics as buttons (the ``clarify`` status) rather than the first one's answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.retrieve import Answer
from knowledge.text import fold

SHORTHAND_FILE = Path(__file__).with_name("shorthand.yml")
SHORT_WORDS = 3
"""A question of at most this many words is short."""
SHORT_CONFIDENCE = 0.85
"""Below this confidence a short question is asked back."""
RUNNER_UP = 0.30
"""A second topic at least this likely, and at least ``NEARLY`` as likely as the first, makes an
answer below ``CONTESTED_CONFIDENCE`` to a question of at most ``BRIEF_WORDS`` words a question
back (on longer questions the answer lists the other topic anyway)."""
NEARLY = 0.6
"""Measured on the knowledge base's own paraphrases, each left out of the index in turn (1,423;
80 brief ones in that band with a second topic of at least 0.30): the first topic was right 51 %
of the time when the second had at least 0.6 of its confidence (59), 67 % below that (21), as
often as brief answers of the same confidence without a close second (76, 68 %), which are
answered. The cut anywhere between 0.5 and 0.7 splits them alike; 0.6 keeps the middle."""
CONTESTED_CONFIDENCE = 0.70
BRIEF_WORDS = 8

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _shorthand() -> dict[str, str]:
    data: dict[str, str] = yaml.safe_load(SHORTHAND_FILE.read_text(encoding="utf-8"))
    return {fold(k): str(v) for k, v in data.items()}


def expand_shorthand(text: str) -> str:
    """Write out chat shorthand ("what happens to my pw?" -> "what happens to my password?")."""
    table = _shorthand()
    return _WORD.sub(lambda m: table.get(fold(m.group()), m.group()), text)


def is_short(text: str) -> bool:
    """Whether the question has at most ``SHORT_WORDS`` words."""
    return len(_WORD.findall(text)) <= SHORT_WORDS


def is_brief(text: str) -> bool:
    """Whether the question has at most ``BRIEF_WORDS`` words."""
    return len(_WORD.findall(text)) <= BRIEF_WORDS


def settle(answer: Answer, text: str) -> Answer:
    """Turn an answer to a vague question into a question back (status ``clarify``).

    Args:
        answer: The retrieval's answer to ``text``.
        text: The question as retrieval saw it.

    Returns:
        ``answer`` itself, or the same answer with status ``clarify`` when the question is short
        and the confidence below ``SHORT_CONFIDENCE``, or brief and contested (see ``RUNNER_UP``).
    """
    if answer.status != "answered":
        return answer
    runner_up = max((a.confidence for a in answer.alternatives), default=0.0)
    close = runner_up >= max(RUNNER_UP, NEARLY * answer.confidence)
    vague = is_short(text) and answer.confidence < SHORT_CONFIDENCE
    contested = is_brief(text) and close and answer.confidence < CONTESTED_CONFIDENCE
    if vague or contested:
        return replace(answer, status="clarify")
    return answer
