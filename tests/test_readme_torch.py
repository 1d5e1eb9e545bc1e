"""README's "Your own PyTorch model" block runs as printed (it is not a doctest, so that it
can be pasted as it is)."""

import contextlib
import io
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")


def test_readme_torch_block_runs():
    text = (Path(__file__).parent.parent / "README.md").read_text()
    section = text.split("## Your own PyTorch model", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "('relu', 'relu_1', 'pool')"
    assert float(lines[1]) < 1e-5
    pieces, per_layer = lines[2].split(" ", 1)
    assert int(pieces) >= 1 and "'pool'" in per_layer
    regions_, linear = (int(v) for v in lines[3].split())
    assert regions_ >= linear >= 1
