"""Fast JSON in and out for the import's hot path, with the standard library's
exact results.

Reading and writing JSON was about a third of an import's CPU time with the
``json`` module. msgspec decodes a stream line in about half the time and
encodes a post's raw JSON in about a fifth. It is used only where its result
is the standard library's: it keeps integers of any size exact (orjson, the
other candidate, silently turns integers beyond 64 bits into floats), and
whatever it refuses (NaN, lone surrogates, numbers out of float range, invalid
UTF-8, broken JSON) goes to ``json``, which then accepts it the way it always
did or raises its usual error with its usual message.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder(enc_hook=str).encode
# DecodeError, ValidationError (a number out of range) and UnicodeDecodeError.
_MSGSPEC_ERRORS = (msgspec.MsgspecError, ValueError)

# The standard library's encoder, built once (json.dumps builds one per call).
_encode_slow = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False
).encode
# The same, all ASCII: a lone surrogate is written "\\ud83d", valid UTF-8.
_encode_slow_ascii = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), default=str, check_circular=False
).encode


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``, faster. Bytes are taken as UTF-8; undecodable bytes
    become U+FFFD (as the archive reader's text mode did).

    A document nested deeper than the interpreter's recursion limit (a line of
    3,000 nested objects) is a ``json.JSONDecodeError`` like any other bad
    JSON, not a ``RecursionError`` that would end the whole import."""
    try:
        try:
            return _decode(data)
        except _MSGSPEC_ERRORS:
            if isinstance(data, bytes):
                data = data.decode("utf-8", errors="replace")
            return json.loads(data)
    except RecursionError:
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def dumps(obj: Any) -> str:
    """Compact JSON text (no spaces, non-ASCII kept) of the same JSON value as
    ``json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)``.

    Two spellings differ, both for the better: exponents are written ``1e16``
    (not ``1e+16``), and NaN and infinities, which JSON has no word for, are
    ``null`` (the standard library writes ``NaN``, which JSON readers refuse)."""
    try:
        return _encode(obj).decode()
    except (TypeError, ValueError, OverflowError, UnicodeEncodeError):
        # Lone surrogates and other values msgspec refuses: the standard
        # library's output, as before.
        return _encode_slow(obj)


def dumps_utf8(obj: Any) -> bytes:
    """The same JSON value as ``dumps(obj)``, as UTF-8 bytes, without the round
    trip through ``str`` (msgspec writes bytes).

    Always valid UTF-8: what msgspec refuses (a lone surrogate) is written by
    the standard library with every non-ASCII character escaped, so the
    surrogate stays a "\\ud83d" escape (``dumps`` keeps it as a character,
    which UTF-8 cannot hold); in that object only, NaN is then ``NaN``."""
    try:
        return _encode(obj)
    except (TypeError, ValueError, OverflowError, UnicodeEncodeError):
        return _encode_slow_ascii(obj).encode("ascii")
