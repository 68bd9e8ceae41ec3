"""Packages that import their names at first use: start-up pays only for what it touches."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_names(
    package: str, where: Mapping[str, str], exported: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: ``where`` maps each name to its module."""
    names = sorted(set(exported))

    def __getattr__(name: str) -> Any:
        """Import the module that defines ``name`` at its first use."""
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(sys.modules[package])[name] = value  # the next look-up is a plain global
        return value

    def __dir__() -> list[str]:
        """The package's names, loaded or not."""
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
