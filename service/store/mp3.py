"""MP3 frame parsing (stdlib only): how long an MP3 plays, counted from its frame headers.

The cache uses it to find files cut short (disk full, a copy interrupted) without decoding them;
the encoder uses it to report the exact decoded length of what it wrote.
"""
from __future__ import annotations

# Bitrates in kbit/s by (MPEG-1?, layer) and index 1..14.
_BITRATES = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_header(b: bytes | memoryview, i: int) -> tuple[int, int, int, int] | None:
    """(frame length in bytes, samples per frame, sample rate, side-info end) of the header at i."""
    if i + 4 > len(b) or b[i] != 0xFF or (b[i + 1] & 0xE0) != 0xE0:
        return None
    version = (b[i + 1] >> 3) & 3  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
    layer_bits = (b[i + 1] >> 1) & 3  # 3 = I, 2 = II, 1 = III
    br_index = b[i + 2] >> 4
    sr_index = (b[i + 2] >> 2) & 3
    if version == 1 or layer_bits == 0 or br_index in (0, 15) or sr_index == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][br_index - 1] * 1000
    rate = _SAMPLE_RATES[version][sr_index]
    padding = (b[i + 2] >> 1) & 1
    mono = (b[i + 3] >> 6) == 3
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4, 384, rate, 0
    if layer == 2:
        return 144 * bitrate // rate + padding, 1152, rate, 0
    if mpeg1:
        return 144 * bitrate // rate + padding, 1152, rate, 4 + (17 if mono else 32)
    return 72 * bitrate // rate + padding, 576, rate, 4 + (9 if mono else 17)


def _id3v2_size(b: bytes, i: int) -> int:
    if b[i : i + 3] != b"ID3" or len(b) < i + 10:
        return 0
    size = (b[i + 6] & 0x7F) << 21 | (b[i + 7] & 0x7F) << 14 | (b[i + 8] & 0x7F) << 7 | (b[i + 9] & 0x7F)
    footer = 10 if b[i + 5] & 0x10 else 0
    return 10 + size + footer


class FrameCounter:
    """Counts complete MP3 frames in a byte stream fed in arbitrary chunks.

    A frame counts only once all its bytes arrived, so a truncated file comes out short. An
    ID3v2 tag at the start is skipped, and so is a Xing/Info tag frame (it holds no audio);
    bytes that are not frames are skipped until the next valid header.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.samples = 0
        self.sample_rate = 0
        self._buf = b""
        self._first = True
        self._known: dict[bytes, tuple[int, int, int, int]] = {}  # header bytes -> _frame_header

    def feed(self, data: bytes) -> None:
        b = self._buf + data
        i = 0
        if self._first:
            if len(b) < 10 and b[:3] == b"ID3"[: len(b)]:
                self._buf = b
                return
            skip = _id3v2_size(b, 0)
            if skip > len(b):
                self._buf = b
                return
            i = skip
        n = len(b)
        known = self._known
        frames, samples, rate = self.frames, self.samples, self.sample_rate
        while i + 4 <= n:
            # Fast path: a header seen before (a CBR file has two, with and without padding). The
            # start-up cache check walks every frame; this makes it ~3x faster (200 pages: 1 s, not 2.8).
            head = b[i : i + 4]
            header = known.get(head)
            if header is None:
                header = _frame_header(b, i)
                if header is None or header[0] < 4:
                    i += 1
                    continue
                known[head] = header
            length, spf, rate_here, side_end = header
            if i + length > n:
                break  # incomplete: wait for more bytes
            if self._first:
                self._first = False
                tag = b[i + side_end : i + side_end + 4] if side_end else b""
                if tag in (b"Xing", b"Info"):
                    i += length
                    continue
            frames += 1
            samples += spf
            rate = rate_here
            i += length
        self.frames, self.samples, self.sample_rate = frames, samples, rate
        self._buf = b[i:]

    @property
    def duration_ms(self) -> float:
        return self.samples * 1000.0 / self.sample_rate if self.sample_rate else 0.0


def mp3_duration_ms(data: bytes) -> float:
    """Playing time of an MP3 from its frame headers (complete frames only; 0.0 if none).

    Used to check cache files for truncation without decoding them.
    """
    counter = FrameCounter()
    counter.feed(bytes(data))
    return counter.duration_ms
