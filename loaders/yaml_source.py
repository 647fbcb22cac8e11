"""YAML reading that keeps line numbers and rejects duplicate keys.

PyYAML silently keeps the last of two equal keys and forgets where values came from; curated content
needs both caught and every error pointing at a line, so we compose the node tree ourselves.
"""

from __future__ import annotations

from typing import Any

import yaml

from clinkg.loaders.errors import Problem


class LocatedDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


def _convert(node: yaml.Node, file: str, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, file, problems)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                problems.append(Problem(file, line, f"key {key!r} is not a string"))
                continue
            if key in out:
                problems.append(
                    Problem(file, line, f"duplicate key '{key}' (first at line {out.key_lines[key]})")
                )
                continue
            out[key] = _convert(value_node, file, problems)
            out.key_lines[key] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocatedList(_convert(item, file, problems) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    # Scalars: let the safe constructor resolve ints, bools, nulls and strings as YAML 1.1 does.
    return yaml.SafeLoader("").construct_object(node)


def read_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; returns the located data and the problems found (syntax, duplicates)."""
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(file, line, f"YAML syntax error: {reason}")]
    if node is None:
        return None, [Problem(file, 0, "file is empty")]
    return _convert(node, file, problems), problems


def line_of(data: Any, path: tuple[int | str, ...]) -> int:
    """The line of the deepest node on `path` that exists (used to place validation errors)."""
    line = getattr(data, "line", 0)
    node = data
    for step in path:
        if isinstance(node, LocatedDict) and isinstance(step, str) and step in node:
            line = node.key_lines[step]
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
        line = getattr(node, "line", line) if isinstance(node, LocatedDict | LocatedList) else line
    return line
