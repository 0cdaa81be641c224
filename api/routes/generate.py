"""Generated documents: pre-meeting briefs (JSON, Markdown), e-mail drafts and rewrites.

Each runs on the assistant as the caller sees it (Access.assistant): a customer it cannot see
is 404, and records it may not read never reach the prompt. Each generation is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from fastapi.responses import PlainTextResponse

from api.access import Access
from api.deps import BriefAccess, DraftAccess
from api.errors import (
    AUTH_RESPONSES,
    BAD_REQUEST,
    NOT_FOUND,
    UNAVAILABLE,
    ErrorResponse,
    NotVisible,
    Responses,
)
from api.schemas import BriefRequest, DraftRequest, RewriteRequest, utc
from assistant.types import BriefResult, EmailDraft, RewriteResult
from knowledge.apikeys import output_owner
from knowledge.vocabulary import Language

router = APIRouter(tags=["generate"])
CustomerId = Annotated[int, Path(ge=1, le=2**62)]
CONSENT: Responses = {
    409: {"model": ErrorResponse, "description": "Consent refuses it (e-mail opt-out)"}
}
BAD = BAD_REQUEST


async def _brief(access: Access, customer_id: int, body: BriefRequest | None) -> BriefResult:
    assistant = access.assistant()
    language: Language | None = body.language if body else None
    result = await access.services.run_cpu(
        lambda: assistant.brief(customer_id, language=language, actor=access.principal.actor)
    )
    return utc(result)


@router.post(
    "/customers/{customer_id}/brief",
    response_model=BriefResult,
    summary="Pre-meeting brief: sections of cited sentences, facts from SQL, and Markdown",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE},
)
async def brief(
    customer_id: CustomerId,
    access: BriefAccess,
    body: Annotated[BriefRequest | None, Body()] = None,
) -> BriefResult:
    """One page before a meeting, every statement traceable to a record."""
    return await _brief(access, customer_id, body)


@router.post(
    "/customers/{customer_id}/brief.md",
    summary="The same brief as Markdown (for export)",
    responses={
        200: {"content": {"text/markdown": {"schema": {"type": "string"}}}},
        **AUTH_RESPONSES,
        **NOT_FOUND,
        **UNAVAILABLE,
    },
)
async def brief_markdown(
    customer_id: CustomerId,
    access: BriefAccess,
    body: Annotated[BriefRequest | None, Body()] = None,
) -> PlainTextResponse:
    """The brief rendered as Markdown, citations as record ids."""
    result = await _brief(access, customer_id, body)
    return PlainTextResponse(result.markdown, media_type="text/markdown; charset=utf-8")


@router.post(
    "/drafts/email",
    response_model=EmailDraft,
    summary="Draft a personalised follow-up e-mail: subject, body, citations (never sent)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE, **CONSENT, **BAD},
)
async def draft_email(body: DraftRequest, access: DraftAccess) -> EmailDraft:
    """One call in, a draft for a person to review out; refuses marketing mail to opt-outs."""
    assistant = access.assistant()
    draft = await access.services.run_cpu(
        lambda: assistant.draft_email(
            body.customer_id,
            purpose=body.purpose,
            tone=body.tone,
            length=body.length,
            language=body.language,
            step=body.step,
            actor=access.principal.actor,
        )
    )
    return utc(draft)


@router.post(
    "/drafts/rewrite",
    response_model=RewriteResult,
    summary="Rewrite a text by an instruction (more polite, shorter, in English ...)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE, **BAD},
)
async def rewrite(body: RewriteRequest, access: DraftAccess) -> RewriteResult:
    """Rewrite a text; the result's output_id takes feedback, its audit row names the customer."""
    assistant = access.assistant()
    principal = access.principal

    def work() -> RewriteResult:
        source = body.source_output_id
        if source is not None:  # only a draft this key produced (admin: any), as for feedback
            owner = output_owner(access.services.sessions, source)
            if owner is None or (owner != principal.key_id and not principal.is_admin):
                raise NotVisible(f"output {source} does not exist")
        return assistant.rewrite(
            body.text,
            body.instruction,
            language=body.language,
            customer_id=body.customer_id,
            source_output_id=source,
            actor=principal.actor,
        )

    return await access.services.run_cpu(work)
