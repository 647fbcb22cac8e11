"""The user-facing query library: `sparql/NAME.rq` and `cypher/NAME.cypher`, loaded by name.

Each file starts with a header of `# key: value` comment lines (question, parameters, returns, example);
the same NAME in both folders asks the same question with the same parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

LANGUAGES = {"sparql": ".rq", "cypher": ".cypher"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Query:
    """One query file: its name, language, text and header fields."""

    name: str
    language: str
    text: str
    header: dict[str, str]

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names declared in the header (`parameters: a, b` or `none`)."""
        declared = self.header.get("parameters", "none").strip()
        if declared == "none":
            return ()
        return tuple(part.split("(")[0].strip() for part in declared.split(";") if part.strip())


_COMMENT = {"sparql": "#", "cypher": "//"}


def _parse_header(text: str, language: str) -> dict[str, str]:
    header: dict[str, str] = {}
    key = ""
    marker = _COMMENT[language]
    for line in text.splitlines():
        if not line.startswith(marker):
            break
        body = line[len(marker) :].strip()
        match = re.match(r"^([a-z][a-z0-9-]*):\s*(.*)$", body)
        if match:
            key = match.group(1)
            header[key] = match.group(2).strip()
        elif key and body:
            header[key] = f"{header[key]} {body}".strip()
    return header


@cache
def load(name: str, language: str = "sparql") -> Query:
    """The query NAME in LANGUAGE (KeyError when there is none)."""
    if language not in LANGUAGES or not _NAME.match(name):
        raise KeyError(f"no {language} query named {name!r}")
    entry = files(__name__) / language / f"{name}{LANGUAGES[language]}"
    if not entry.is_file():
        raise KeyError(f"no {language} query named {name!r}")
    text = entry.read_text(encoding="utf-8")
    return Query(name=name, language=language, text=text, header=_parse_header(text, language))


def names(language: str = "sparql") -> list[str]:
    """Every query name in LANGUAGE, sorted."""
    suffix = LANGUAGES[language]
    folder = files(__name__) / language
    return sorted(e.name.removesuffix(suffix) for e in folder.iterdir() if e.name.endswith(suffix))
