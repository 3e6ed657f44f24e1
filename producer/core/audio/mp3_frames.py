"""MPEG audio Layer III frame arithmetic: how long a frame is, from its header. Pure."""
from __future__ import annotations

from ...errors import MediaError


def mp3_frame_bytes(header: bytes) -> int:
    """Length of the MPEG audio Layer III frame that starts with these 4 bytes."""
    b = int.from_bytes(header[:4], "big")
    if b >> 21 != 0x7FF or (b >> 17) & 3 != 1:
        raise MediaError("not an MPEG Layer III frame header")
    version = (b >> 19) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    kbps_table = ([0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] if version == 3
                  else [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160])
    rate = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}[version][(b >> 10) & 3]
    kbps = kbps_table[(b >> 12) & 0xF]
    return (144000 if version == 3 else 72000) * kbps // rate + ((b >> 9) & 1)
