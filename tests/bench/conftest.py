"""Benchmarks at a tiny size: a private cache folder for the synthetic registries."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def bench_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Registries built by the smoke tests go to a temporary folder, not the user's cache."""
    before = os.environ.get("KAATSU_BENCH_CACHE")
    os.environ["KAATSU_BENCH_CACHE"] = str(tmp_path_factory.mktemp("bench-cache"))
    yield
    if before is None:
        os.environ.pop("KAATSU_BENCH_CACHE", None)
    else:
        os.environ["KAATSU_BENCH_CACHE"] = before
