"""The one place we reach into mutagen's internals.

mutagen sorts frames by size when it saves; ffprobe and many players list CHAP
frames in file order, so we write them in playback order instead. mutagen has
no public hook for frame order, so this overrides `ID3._write` and uses its
frame encoder `_tags.save_frame`. tests/unit/test_adapters.py fails loudly when a
mutagen release changes either (and reads the frame order back from the bytes).
"""
from __future__ import annotations

from typing import Any, Callable

from mutagen.id3 import ID3, Frame

try:
    from mutagen.id3._tags import save_frame  # noqa: PLC2701 - see the module docstring
except ImportError as e:  # pragma: no cover - only on a mutagen we do not know
    raise ImportError(f"this mutagen has no id3._tags.save_frame; producer/io/id3_order.py needs updating ({e})")

if not callable(getattr(ID3, "_write", None)):  # pragma: no cover
    raise ImportError("this mutagen's ID3 has no _write; producer/io/id3_order.py needs updating")


def ordered_id3(rank: Callable[[Frame], Any]) -> type[ID3]:
    """An ID3 class that saves its frames sorted by `rank` instead of by size."""

    class OrderedID3(ID3):
        def _write(self, config):  # type: ignore[no-untyped-def]
            return b"".join(save_frame(f, config=config) for f in sorted(self.values(), key=rank))

    return OrderedID3
