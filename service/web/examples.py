"""GET /v1/sparql/examples: the query library (`queries/sparql/*.rq`) and the prefixes, for the SPARQL
workbench. The files are read at run time, so the workbench always offers the files the service ships,
each with its header, exactly as a user would paste it.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clinkg.queries import load, names
from clinkg.service.api.models import errors
from clinkg.service.sparql.description import standard_prefixes

router = APIRouter(prefix="/v1", tags=["sparql"], responses=errors(401, 503))


class Example(BaseModel):
    name: str = Field(description="The file's name without `.rq`.", examples=["counts_by_type"])
    question: str = Field(description="The file's `# question:` header, its lines joined.")
    text: str = Field(description="The whole file, header included, runnable as pasted.")


class Examples(BaseModel):
    prefixes: dict[str, str] = Field(
        description="The prefixes of the graph's namespaces (ontology, entities, cross-references).",
        examples=[{"ckg": "https://w3id.org/clinkg/ontology#", "clinkg": "https://w3id.org/clinkg/id/"}],
    )
    examples: list[Example]


@router.get("/sparql/examples", response_model=Examples)
async def sparql_examples() -> Examples:
    """The SPARQL query library (every `queries/sparql/*.rq`, sorted by name) with its questions, and the
    prefixes of the graph's namespaces."""
    library = [load(name) for name in names("sparql")]
    return Examples(
        prefixes=standard_prefixes(),
        examples=[Example(name=q.name, question=q.header.get("question", ""), text=q.text) for q in library],
    )
