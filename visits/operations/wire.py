"""Reading a batch off the wire so that one operation cannot make the whole batch unreadable (issue 12, item 1).

`json.loads` fails for the whole body when one operation is nested deeper than Python can parse (RecursionError)
or holds an integer with more digits than Python reads (ValueError past sys.get_int_max_str_digits). A phone
whose outbox holds such an operation would then be told "not JSON" for ever, and the changes queued behind it
would never arrive. So:

- Integers of more than MAX_DIGITS digits are read as infinity: no id, version or count is that large, and every
  number field refuses infinity with its own message.
- When the body still cannot be read whole, its top-level object is split at its commas (strings and brackets
  matched, not parsed) and each operation of `ops` read alone; one that cannot be read becomes an
  UnreadableOperation carrying the op_id and type written at its top level (never one quoted inside its data),
  answered `rejected` by itself.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from .contract import UnreadableOperation

MAX_DIGITS = 100

# A JSON string (escapes included) or one of the characters that open, close or separate a container.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)
# The op_id and type an unreadable operation may be answered under (its op_id is checked as a UUID later).
_OP_ID = re.compile(r"[0-9A-Fa-f-]{32,36}")
_TYPE = re.compile(r"[a-z_.]{1,40}")


def _read_int(digits: str):
    if len(digits.lstrip("-")) > MAX_DIGITS:
        return float("-inf") if digits.startswith("-") else float("inf")
    return int(digits)


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_read_int)


def read_batch(raw: bytes) -> Any:
    """The request body as JSON, each unreadable operation of `ops` replaced by an UnreadableOperation; None when
    the body is not JSON at all."""
    try:
        # As json.loads reads bytes: the encoding from the first bytes, encoded surrogates let through (the schemas
        # and the ledger deal with them, as with an escaped one).
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return None
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return _read_piece_by_piece(text)
    except (ValueError, RecursionError, IndexError):
        return None


def _items(text: str, start: int) -> tuple[list[str], int]:
    """The top-level items of the object or array opening at text[start], as text; and the index after it."""
    depth, items, item_start = 0, [], start + 1
    for token in _TOKEN.finditer(text, start):
        mark = token.group()
        if mark[0] == '"':
            continue
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
            if depth == 0:
                last = text[item_start:token.start()]
                if last.strip() or items:
                    items.append(last)
                return items, token.end()
        elif depth == 1:  # a comma between two items
            items.append(text[item_start:token.start()])
            item_start = token.end()
    raise ValueError("unterminated")


def _read_piece_by_piece(text: str) -> Optional[dict]:
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] != "{":
        return None
    members, end = _items(text, start)
    if text[end:].strip():
        return None
    body: dict = {}
    decoder = json.JSONDecoder()
    for member in members:
        member = member.strip()
        key, after_key = decoder.raw_decode(member)
        value = member[after_key:].lstrip()
        if not isinstance(key, str) or not value.startswith(":"):
            return None
        value = value[1:].strip()
        if key == "ops" and value.startswith("["):
            operations, after = _items(value, 0)
            if value[after:].strip():
                return None
            body[key] = [_operation(piece) for piece in operations]
        else:
            body[key] = _loads(value)
    return body


def _operation(text: str) -> Any:
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        members = _top_level_strings(text)
        op_id, op_type = _OP_ID.fullmatch(members.get("op_id", "")), _TYPE.fullmatch(members.get("type", ""))
        return UnreadableOperation(op_id.group() if op_id else None, op_type.group() if op_type else None)


def _top_level_strings(text: str) -> dict[str, str]:
    """The members of the object `text` whose values are strings, read from its top level only: an `op_id`
    quoted inside its data is not the operation's own (stored under it, it would make the operation that owns it
    a replay). Nothing when `text` cannot be split into members."""
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] != "{":
        return {}
    try:
        members = _items(text, start)[0]
    except (ValueError, IndexError):
        return {}
    found: dict[str, str] = {}
    decoder = json.JSONDecoder()
    for member in map(str.strip, members):
        if not member.startswith('"'):
            continue
        try:
            key, after_key = decoder.raw_decode(member)
            value = member[after_key:].lstrip()
            if not value.startswith(":") or not value[1:].lstrip().startswith('"'):
                continue  # not a string: nothing to read, and nothing deep parsed
            value = value[1:].strip()
            text_value, after_value = decoder.raw_decode(value)
        except ValueError:
            continue
        if not value[after_value:].strip():
            found[key] = text_value  # the last of a name, as json.loads reads it
    return found
