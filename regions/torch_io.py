"""Import from and export to PyTorch (stub: being written)."""
from __future__ import annotations

from typing import Any

from .graph import Graph

__all__ = ["from_torch", "to_torch"]


def from_torch(module: Any, example_input: Any) -> Graph:
    raise NotImplementedError


def to_torch(graph: Graph) -> Any:
    raise NotImplementedError
