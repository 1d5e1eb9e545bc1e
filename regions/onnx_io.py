"""Import from ONNX (stub: being written)."""
from __future__ import annotations

from typing import Any

from .graph import Graph

__all__ = ["from_onnx"]


def from_onnx(model_or_path: Any) -> Graph:
    raise NotImplementedError
