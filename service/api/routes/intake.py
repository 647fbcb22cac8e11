"""POST /v1/intake: a note read into the findings it reports and denies, ready for /v1/differential."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from clinkg.service.api.connection import intake_json, read_note
from clinkg.service.api.deps import ServedDep
from clinkg.service.api.models import IntakeRequest, IntakeResponse, errors

router = APIRouter(prefix="/v1", tags=["intake"], responses=errors(400, 401, 413, 422, 503))


@router.post("/intake", response_model=IntakeResponse)
async def post_intake(request: IntakeRequest, served: ServedDep) -> IntakeResponse:
    """The findings and history items a note reports (`present`) and denies (`absent`), its onset,
    laterality, course and age, and the sentences in which nothing was recognised. Send `present` (ids),
    `absent` (ids) and the context fields to POST /v1/differential, or send the note there as `text`."""
    # Reading takes milliseconds of CPU (and the first call builds the reader): off the event loop.
    reading = await run_in_threadpool(read_note, request.text, served)
    return IntakeResponse.model_validate(intake_json(reading))
