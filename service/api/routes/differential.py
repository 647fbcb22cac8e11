"""POST /v1/differential: validate the request, ask ranking, serialize the answer.

This route describes the operation (OpenAPI) and answers whatever the hot path hands on (a bad body, an
unknown item, the store down: service/api/hot_path.py answers the successes without the router).

The answer is built as plain values and serialized once with orjson (pydantic models for ~20 candidates
with their paths cost ten times the ranking itself); `DifferentialResponse` documents the shape (OpenAPI)
and a test validates real answers against it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from clinkg.service.api.connection import answer_bytes
from clinkg.service.api.deps import ServedDep
from clinkg.service.api.models import DIFFERENTIAL_EXAMPLES, DifferentialRequest, DifferentialResponse, errors

router = APIRouter(prefix="/v1", tags=["differential"], responses=errors(400, 401, 413, 422, 503))


# The body is parsed here, by pydantic's own JSON parser, rather than by FastAPI (which decodes with the
# standard library and validates the decoded value): half the cost, the same 422 for a bad body. The
# schema is declared for OpenAPI as FastAPI would have.
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": DifferentialRequest.model_json_schema(),
                "examples": DIFFERENTIAL_EXAMPLES,
            }
        },
    }
}


@router.post("/differential", response_model=DifferentialResponse, openapi_extra=BODY)
async def post_differential(http: Request, served: ServedDep) -> Response:
    """Rank candidate causes for the present findings and history, with the paths that explain each."""
    try:
        request = DifferentialRequest.model_validate_json(await http.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    # UnresolvedError (too many items for the scope, unknown references): 422, mapped by class in the app;
    # a text over CLINKG_MAX_NOTE_CHARS: 413. Answers are cached by their resolved, frozen query: equal
    # queries give byte-identical answers, whatever the spelling or order of the references.
    return Response(answer_bytes(request, served), media_type="application/json")
