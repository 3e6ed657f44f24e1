"""The one adapter over library internals (io/id3_order): it fails loudly when
a mutagen release moves what it overrides, and the frame order is read back
from the file's bytes, not through mutagen."""
from __future__ import annotations

import struct
from pathlib import Path

from mutagen.id3 import CHAP, ID3, TIT2

from producer.io.id3_order import ordered_id3

NUL = bytes(1)


def frame_order(path: Path) -> list[str]:
    """Frame ids (CHAP with its element id) in file order, from an ID3v2.3 header."""
    data = path.read_bytes()
    assert data[:3] == b"ID3" and data[3] == 3
    size = sum(b << (7 * (3 - i)) for i, b in enumerate(data[6:10]))  # syncsafe
    pos, found = 10, []
    while pos + 10 <= 10 + size and data[pos:pos + 4].strip(b"\0"):
        fid = data[pos:pos + 4].decode()
        (length,) = struct.unpack(">I", data[pos + 4:pos + 8])
        body = data[pos + 10:pos + 10 + length]
        if fid == "CHAP":  # its body starts with the NUL-terminated element id
            fid += ":" + body.split(NUL, 1)[0].decode()
        found.append(fid)
        pos += 10 + length
    return found


def chapters(tags: ID3) -> None:
    # the later chapters have the shorter titles, so mutagen's own order (by size) differs from playback
    for i, title in enumerate(["A long first chapter title " * 4, "Second, shorter", "3"]):
        tags.add(CHAP(element_id=f"ch{i}", start_time=i * 1000, end_time=(i + 1) * 1000,
                      sub_frames=[TIT2(encoding=3, text=[title])]))
    tags.add(TIT2(encoding=3, text=["Episode"]))


def test_frames_are_written_in_our_order_not_mutagens(tmp_path: Path) -> None:
    def rank(frame) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        return (1, frame.start_time) if frame.FrameID == "CHAP" else (0, 0)

    ours, plain = tmp_path / "ours.id3", tmp_path / "plain.id3"
    for path, cls in ((ours, ordered_id3(rank)), (plain, ID3)):
        path.write_bytes(b"")
        tags = cls()
        chapters(tags)
        tags.save(path, v2_version=3)
    assert frame_order(ours) == ["TIT2", "CHAP:ch0", "CHAP:ch1", "CHAP:ch2"]
    assert frame_order(plain) != frame_order(ours), "mutagen now keeps order itself: the adapter may go"
