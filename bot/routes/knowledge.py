"""Knowledge endpoints: ask, search, read one FAQ topic."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from bot import errors
from bot.deps import RetrieverDep
from bot.schemas import MAX_TEXT, AnswerPublic, AskCreate, HitPublic, Lang, SearchPublic

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.post("/ask", response_model=AnswerPublic, responses=errors.responses(400))
def ask(body: AskCreate, retriever: RetrieverDep) -> AnswerPublic:
    """Answer a question in English, Dutch or Slovenian with sources and notes."""
    answer = retriever.ask(body.text, body.lang, body.as_of)
    return AnswerPublic.model_validate(asdict(answer))


@router.get("/search", response_model=SearchPublic, responses=errors.responses(400))
def search(
    retriever: RetrieverDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="Search text")],
    lang: Annotated[Lang | None, Query(description="en | nl | sl; detected when omitted")] = None,
    k: Annotated[int, Query(ge=1, le=20, description="Number of results")] = 5,
) -> SearchPublic:
    """Rank FAQ topics for a query (used by the console's KB panel)."""
    resolved, hits = retriever.search(q, lang, k)
    return SearchPublic(
        lang=resolved,
        hits=[
            HitPublic(
                faq_id=h.faq_id,
                question=retriever.kb.topic(h.faq_id).variant_for(resolved).question[resolved],
                confidence=round(h.confidence, 3),
                dense=round(h.dense, 4),
                lexical=round(h.lexical, 3),
            )
            for h in hits
        ],
    )


@router.get(
    "/faq/{faq_id}",
    response_model=AnswerPublic,
    responses=errors.responses(
        400,
        s404=("No such FAQ topic", errors.problem_body(404, "unknown faq_id: 'nope'", kind="unknown-faq")),
    ),
)
def faq(
    faq_id: str,
    retriever: RetrieverDep,
    lang: Annotated[Lang, Query(description="en | nl | sl")] = "en",
) -> AnswerPublic:
    """One FAQ topic answered in ``lang``, with notes and sources."""
    answer = retriever.compose(faq_id, retriever.resolve_lang("", lang))
    return AnswerPublic.model_validate(asdict(answer))
