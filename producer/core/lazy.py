"""scipy and pyloudnorm, imported when first used: scipy.signal alone takes 0.7 s
to import, and a build warms them in the background (`warm`) while ffmpeg
analyses the recordings, instead of before it starts anything."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Lazy:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


signal: Any = _Lazy("scipy.signal")
ndimage: Any = _Lazy("scipy.ndimage")
pyloudnorm: Any = _Lazy("pyloudnorm")
MODULES = ("scipy.signal", "scipy.ndimage", "pyloudnorm")


def warm() -> list[ModuleType]:
    return [importlib.import_module(name) for name in MODULES]
