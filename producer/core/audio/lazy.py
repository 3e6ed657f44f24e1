"""scipy and pyloudnorm, imported when first used: scipy.signal alone takes 0.7 s
and 76 MB to import, and a build never uses them (its meters read ffmpeg's
K-weighting); measuring samples in memory with Meter.add does."""
from __future__ import annotations

import importlib
from typing import Any


class _Lazy:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


signal: Any = _Lazy("scipy.signal")
pyloudnorm: Any = _Lazy("pyloudnorm")
