"""GA4GH Phenopacket (schema v2) input: a phenopacket read into the findings of a differential.

The JSON (camelCase, as the schema's JSON form writes it) is validated by the schema's own protobuf
classes (the `phenopackets` package). Observed phenotypic features are the present terms, excluded ones
the absent terms; the age at the last encounter (an ISO 8601 duration) gives the age in whole years; the
sex is read but the ranking does not use it; the diagnoses (interpretations, else diseases) are kept for
those who compare them with the ranking (`clinkg rank`).

A phenopacket is patient data: a problem is named by its JSON path (`phenopacket.phenotypicFeatures[2]
.type.id`) and what the schema expects there, never by the value found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phenopackets
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from clinkg.service.ranking.answer import UnresolvedError

ROOT = "phenopacket"
MAX_AGE = 130  # years, as the request's own `age`
CURIE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*:\S+")
# Years, months, weeks, days and an optional time part; at least one component.
DURATION = re.compile(
    r"P(?=\d|T\d)(?:(\d{1,4})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,7})D)?"
    r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?"
)

_F = FieldDescriptor
_EXPECTED = {
    _F.TYPE_STRING: "a string",
    _F.TYPE_BYTES: "base64 text",
    _F.TYPE_BOOL: "true or false",
    _F.TYPE_DOUBLE: "a number",
    _F.TYPE_FLOAT: "a number",
}
_WELL_KNOWN = {
    "google.protobuf.Timestamp": "an RFC 3339 timestamp such as 2021-05-14T10:35:00Z",
    "google.protobuf.Duration": "a duration in seconds such as 1.5s",
}


class PhenopacketError(ValueError):
    """A phenopacket that cannot be read: the JSON path of the first problem and what the schema expects
    there (never the value found)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Reported:
    """What a phenopacket reports, as the differential takes it."""

    present: tuple[str, ...]  # observed phenotypic features (ontology term ids, first occurrence first)
    absent: tuple[str, ...]  # excluded ones
    age: int | None  # whole years at the last encounter, when given as an ISO 8601 duration
    sex: str | None  # MALE, FEMALE, OTHER_SEX; read, not used by the ranking
    diagnoses: tuple[str, ...]  # interpretations[].diagnosis.disease.id, else diseases[].term.id
    paths: dict[str, str]  # each term -> the JSON path that names it first

    def unresolved(self, exc: UnresolvedError) -> UnresolvedError:
        """The error with the terms no graph knows named by their JSON paths, not by their ids."""
        unknown = set(exc.unknown)
        where = [path for term, path in self.paths.items() if term in unknown]
        if not where:
            return exc
        return UnresolvedError(
            "unknown in both the HPO graph and the curated graph of this release (give HP terms): "
            + ", ".join(where),
            exc.unknown,
        )


def read(data: Any, root: str = ROOT) -> Reported:
    """The findings of a phenopacket given as its JSON form (PhenopacketError naming the first problem)."""
    if not isinstance(data, dict):
        raise PhenopacketError(root, "expected a JSON object (a phenopacket)")
    packet = phenopackets.Phenopacket()
    try:
        json_format.ParseDict(data, packet)
    except json_format.ParseError:
        # ParseError's text may quote the value: the problem is located again, by path only.
        path, reason = _first_problem(data, packet.DESCRIPTOR, root) or (root, "not a valid phenopacket")
        raise PhenopacketError(path, reason) from None
    present: list[str] = []
    absent: list[str] = []
    paths: dict[str, str] = {}
    for position, feature in enumerate(packet.phenotypic_features):
        here = f"{root}.phenotypicFeatures[{position}]"
        term = feature.type.id.strip()
        if not term:
            raise PhenopacketError(f"{here}.type.id", "missing: each feature needs an ontology term id")
        if not CURIE.fullmatch(term):
            raise PhenopacketError(f"{here}.type.id", "not a CURIE such as HP:0001250")
        into, other = (absent, present) if feature.excluded else (present, absent)
        if term in other:
            raise PhenopacketError(f"{here}.excluded", f"the same term is also reported at {paths[term]}")
        if term not in into:
            into.append(term)
            paths[term] = f"{here}.type.id"
    if not present:
        raise PhenopacketError(f"{root}.phenotypicFeatures", "no observed (not excluded) feature")
    subject = packet.subject
    sex = phenopackets.Sex.Name(subject.sex) if subject.sex else None
    return Reported(tuple(present), tuple(absent), _age(packet, root), sex, _diagnoses(packet), paths)


def _age(packet: Any, root: str) -> int | None:
    """Whole years from subject.timeAtLastEncounter.age (other forms of the time are not read)."""
    when = packet.subject.time_at_last_encounter
    text = when.age.iso8601duration.strip() if when.HasField("age") else ""
    if not text:
        return None
    path = f"{root}.subject.timeAtLastEncounter.age.iso8601duration"
    found = DURATION.fullmatch(text)
    if found is None:
        raise PhenopacketError(path, "not an ISO 8601 duration such as P5Y3M")
    years, months, weeks, days = (int(part or 0) for part in found.groups())
    age = years + months // 12 + (7 * weeks + days) // 365
    if age > MAX_AGE:
        raise PhenopacketError(path, f"more than {MAX_AGE} years")
    return age


def _diagnoses(packet: Any) -> tuple[str, ...]:
    found = [i.diagnosis.disease.id for i in packet.interpretations if i.diagnosis.disease.id]
    if not found:
        found = [d.term.id for d in packet.diseases if d.term.id and not d.excluded]
    return tuple(dict.fromkeys(term.strip() for term in found))


def _first_problem(data: Any, message: Descriptor, path: str) -> tuple[str, str] | None:
    """The JSON path of the first value the message type rejects, and what it expects there."""
    if not isinstance(data, dict):
        return path, "expected a JSON object"
    fields = {f.json_name: f for f in message.fields} | {f.name: f for f in message.fields}
    for key, value in data.items():
        here = f"{path}.{key}"
        found = fields.get(key)
        if found is None:
            return here, f"not a field of {message.name} in phenopacket schema v2"
        if value is None:
            continue
        if _repeated(found) and not _is_map(found):
            if not isinstance(value, list):
                return here, "expected a list"
            for position, item in enumerate(value):
                problem = _value_problem(message, found, key, [item], item, f"{here}[{position}]")
                if problem:
                    return problem
        else:
            problem = _value_problem(message, found, key, value, value, here)
            if problem:
                return problem
    for oneof in message.oneofs:
        given = [f.json_name for f in oneof.fields if f.json_name in data or f.name in data]
        if len(given) > 1:
            return path, f"only one of {', '.join(given)} may be given"
    return None


def _value_problem(
    message: Descriptor, found: FieldDescriptor, key: str, wrapped: Any, value: Any, here: str
) -> tuple[str, str] | None:
    """The problem with one value of a field (the message type's own parse decides), if any."""
    nested = found.message_type
    if nested is not None and not _is_map(found) and nested.full_name not in _WELL_KNOWN:
        if nested.full_name.startswith("google.protobuf."):
            return _parses(message, key, wrapped, here, "a value of " + nested.name)
        return _first_problem(value, nested, here)
    if nested is not None:
        return _parses(message, key, wrapped, here, _WELL_KNOWN.get(nested.full_name, "a JSON object"))
    if found.enum_type is not None:
        names = ", ".join(v.name for v in found.enum_type.values)
        return _parses(message, key, wrapped, here, f"one of {names}")
    return _parses(message, key, wrapped, here, _EXPECTED.get(found.type, "an integer"))


def _parses(message: Descriptor, key: str, value: Any, here: str, expected: str) -> tuple[str, str] | None:
    try:
        json_format.ParseDict({key: value}, message_factory.GetMessageClass(message)())
    except json_format.ParseError:
        return here, f"expected {expected}"
    return None


def _repeated(found: FieldDescriptor) -> bool:
    return bool(found.is_repeated)


def _is_map(found: FieldDescriptor) -> bool:
    nested = found.message_type
    return nested is not None and bool(nested.GetOptions().map_entry)
