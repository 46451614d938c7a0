"""How a chat message is put, in English, Dutch or Slovenian: a yes or a no, a correction, an
addition to a list, a question about how things work or about the teacher's own case, a request
for the check.

The dialogue decides from these what a message is before any fact is read from it (reading facts
is knowledge/rules/answers.py). Each is a phrase list in knowledge/rules/cues.yml, matched on the
folded words of the message, so an NSO can extend the wordings without touching code.
"""

from __future__ import annotations

from knowledge.rules.mentions import cue_data, norm, says_cue

INTENT_BOOLS = {"affirm": True, "deny": False}
"""The NLU's intents that are a yes or a no when the words do not say."""


def adds_to_list(text: str) -> bool:
    """Whether the message adds to what the teacher said before ("we got it in Croatia too",
    "ook in Spanje", "tudi na Hrvaskem") rather than replacing it."""
    return says_cue(text, "additions")


CORRECTION_WORDS = 4
"""A correction says so in its first words ("wait no, it was 2020")."""


def is_correction(text: str) -> bool:
    """Whether the message opens as a correction of what the teacher said before ("wait no, it
    was 15.9.2019", "nee sorry, ...", "ne, pravzaprav ...")."""
    return says_cue(" ".join(norm(text).split()[:CORRECTION_WORDS]), "corrections")


def yes_or_no(text: str, intent: str | None = None) -> bool | None:
    """A yes or a no that starts the message ("ja hoor", "no, it isn't"), else the NLU's
    affirm/deny; None if neither."""
    words = norm(text)
    cues = cue_data()
    for answer, key in ((False, "no_words"), (True, "yes_words")):
        for phrase in sorted((norm(w) for w in cues[key]), key=len, reverse=True):
            if words == phrase or words.startswith(phrase + " "):
                return answer
    return INTENT_BOOLS.get(intent or "")


# --- how a question is put -----------------------------------------------------------------


def is_general_question(text: str) -> bool:
    """Whether the message asks how things work ("what happens to my messages?") rather than
    whether something holds for the teacher ("will my group be migrated?")."""
    words = norm(text).split()
    starters = {norm(w) for w in cue_data()["general_questions"]}
    skip = {"and", "so", "but", "en", "maar", "dus", "in", "pa", "ok", "okay", "hi", "hello", "hallo", "hoi"}
    while words and words[0] in skip:
        words = words[1:]
    return bool(words) and words[0] in starters


def is_own_case(text: str) -> bool:
    """Whether the message speaks of the teacher's own things ("my group", "onze school", "sem
    skrbnik") rather than naming a topic ("groups")."""
    return says_cue(text, "own_case")


def asks_for_check(text: str) -> bool:
    """Whether the message explicitly asks to check the teacher's own case (or is the check
    button's payload, ``/check_<rule>``)."""
    if text.strip().startswith("/"):
        return True
    return says_cue(text, "check_requests")
