"""A deeply nested JSON line is skipped and reported like any bad line (issue 18, item 4)."""

from __future__ import annotations

import json

import pytest

from desktop.core import jsonio
from desktop.sources.replay import read_documents

DEEP = '{"a":' * 3000 + "1" + "}" * 3000


def _good(n: int) -> str:
    return json.dumps({"n": n})


def _read(path):
    errors = []
    docs = list(read_documents(path, on_error=lambda where, why: errors.append((where, why))))
    return [d.where for d in docs], errors


def test_jsonio_refuses_deep_nesting_with_a_json_error():
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        jsonio.loads(DEEP)
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        jsonio.loads(DEEP.encode())


@pytest.mark.parametrize("line", [2, 1])
def test_a_deep_line_is_skipped_with_its_file_and_line_and_the_rest_lands(tmp_path, line):
    lines = [_good(1), _good(2), _good(3)]
    lines.insert(line - 1, DEEP)
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join(lines) + "\n")
    wheres, errors = _read(path)
    assert [where for where, _ in errors] == [f"deep.jsonl:{line}"]
    assert "nested too deeply" in errors[0][1]
    assert len(wheres) == 3
    assert f"deep.jsonl:{line}" not in wheres
