"""Split a JSON file into its records, each with the lines of the file it spans.

The standard formats come as one record, an array of records (the ROR data dump), an API
answer holding the array under a key (``{"items": [...]}``, the ROR API) or an object of
records keyed by id (``{"entities": {"Q1": {...}}}``, Wikidata's ``Special:EntityData``).
Knowing each record's lines lets the import cite it as an ``lskg:Excerpt`` of the file, as
the sheets cite their rows.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError

__all__ = ["JsonRecord", "read_json_records"]

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


@dataclass
class JsonRecord:
    """One record: its number in the file (from 1), its key (for keyed objects), its lines."""

    number: int
    key: str | None
    start_line: int
    end_line: int
    value: Any


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _members(text: str, start: int) -> list[tuple[str | None, int, int, Any]]:
    """The elements of the array, or the members of the object, that starts at ``start``:
    (key or None, start offset, end offset, value)."""
    out: list[tuple[str | None, int, int, Any]] = []
    is_object = text[start] == "{"
    closing = "}" if is_object else "]"
    i = _skip(text, start + 1)
    if text[i] == closing:
        return out
    while True:
        key = None
        if is_object:
            key, i = _DECODER.raw_decode(text, i)
            i = _skip(text, i)
            i = _skip(text, i + 1)  # the colon
        value, end = _DECODER.raw_decode(text, i)
        out.append((key, i, end, value))
        i = _skip(text, end)
        if text[i] == closing:
            return out
        i = _skip(text, i + 1)  # the comma


def read_json_records(path: Path, container_keys: tuple[str, ...]) -> list[JsonRecord]:
    """The records of a JSON file: the elements of a top-level array, the values under the
    first of ``container_keys`` that the top-level object has, or the object itself."""
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    newlines = [i for i, char in enumerate(text) if char == "\n"]

    def line(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    start = _skip(text, 0)
    if isinstance(document, list):
        members = _members(text, start)
    elif isinstance(document, dict) and any(isinstance(document.get(k), list | dict) for k in container_keys):
        wanted = next(k for k in container_keys if isinstance(document.get(k), list | dict))
        container = next(m for m in _members(text, start) if m[0] == wanted)
        members = _members(text, container[1])
    else:
        members = [(None, start, len(text.rstrip()), document)]
    return [
        JsonRecord(n, key, line(begin), line(max(end - 1, begin)), value)
        for n, (key, begin, end, value) in enumerate(members, start=1)
    ]
