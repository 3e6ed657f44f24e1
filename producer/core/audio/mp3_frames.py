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


# where an Xing/Info frame's tag starts after the frame header: the side information's
# length, by MPEG-1 or not and by mono or not
_SIDE_INFO = {(True, False): 32, (True, True): 17, (False, False): 17, (False, True): 9}
_LAME_NAMES = (b"LAME", b"Lavf", b"Lavc")  # the encoder strings whose extension ffmpeg reads


def lame_delay(frame: bytes) -> int | None:
    """The encoder delay (in samples) that the LAME extension of a first, Xing or Info,
    frame records, as ffmpeg's demuxer reads it; None where the frame holds none."""
    b = int.from_bytes(frame[:4], "big")
    at = 4 + _SIDE_INFO[((b >> 19) & 3 == 3, (b >> 6) & 3 == 3)]
    if frame[at:at + 4] not in (b"Xing", b"Info"):
        return None
    flags = int.from_bytes(frame[at + 4:at + 8], "big")
    at += 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    if frame[at:at + 4] not in _LAME_NAMES or len(frame) < at + 24:
        return None
    return (frame[at + 21] << 4) | (frame[at + 22] >> 4)
