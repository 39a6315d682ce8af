#!/usr/bin/python3
"""tests/fuzz/make_corpus.py — writes the seed corpora of the two fuzz targets (run it with /usr/bin/python3).

    corpus/codec/           what a client sends after the upgrade: two bytes that set codec_fuzz's options
                            (cutting, deflate, limits), then masked frames, compressed ones included
    corpus/client_receive/  what a server sends after the handshake: unmasked frames

The cases follow the RFC 6455 conformance tests (tests/integration/conformance_test.cpp): every length
class, fragmentation with an interleaved ping, ping/pong, close codes valid and not, invalid UTF-8, reserved
bits and opcodes, oversized control frames, wrongly (un)masked frames. The output is deterministic
(fixed mask keys and payloads), so rerunning this script changes nothing unless the script changed. It
replaces every file in the two directories. The fuzzers run on copies (tests/fuzz/run.sh), so libFuzzer
never adds its own finds here.

Note: run.sh passes -max_len=65536, and libFuzzer truncates longer seeds to that; the two 64 KiB-payload
seeds are longer (option bytes and frame header in front), so they seed the 64-bit length encoding and
a message cut short by EOF, not a complete 64 KiB echo.
"""

import pathlib
import struct
import zlib

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
MASKS = [bytes([0x37, 0xFA, 0x21, 0x3D]), bytes([0x00, 0x00, 0x00, 0x00]), bytes([0xA5, 0x5A, 0xFF, 0x01])]



def payload(size: int) -> bytes:
    """Deterministic binary bytes, as the unit tests' binary_payload()."""
    return bytes((i * 131 + 7) & 0xFF for i in range(size))


def text(size: int) -> bytes:
    """Printable ASCII (valid UTF-8) of the given size."""
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 "
    return bytes(alphabet[i % len(alphabet)] for i in range(size))


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack(">H", code) + reason


class Framer:
    """Builds frames; a client's are masked (a new fixed key per frame, cycling), a server's are not."""

    def __init__(self, masked: bool):
        self.masked = masked
        self.count = 0

    def __call__(self, opcode: int, data: bytes = b"", *, fin: bool = True, rsv: int = 0,
                 masked: bool | None = None, length16: bool = False) -> bytes:
        masked = self.masked if masked is None else masked
        head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
        mask_bit = 0x80 if masked else 0
        n = len(data)
        if n < 126 and not length16:
            head += bytes([mask_bit | n])
        elif n < 65536:
            head += bytes([mask_bit | 126]) + struct.pack(">H", n)
        else:
            head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
        if not masked:
            return head + data
        key = MASKS[self.count % len(MASKS)]
        self.count += 1
        return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(data))

    def header_only(self, opcode: int, claimed: int) -> bytes:
        """A frame header announcing `claimed` payload bytes, followed by a few of them."""
        head = bytes([0x80 | opcode, (0x80 if self.masked else 0) | 127]) + struct.pack(">Q", claimed)
        return head + (MASKS[0] if self.masked else b"") + b"\x00" * 16


def frame_cases(f: Framer, close_after) -> dict[str, bytes]:
    """The frame-level cases, shared by both corpora; `close_after` appends the ending a case wants."""
    euro = "€".encode()  # e2 82 ac
    return {
        # every length class: 7-bit (0, 125), 16-bit (126), 64-bit (65536)
        "text-0": close_after(f(TEXT, b"")),
        "text-125": close_after(f(TEXT, text(125))),
        "binary-126": close_after(f(BINARY, payload(126))),
        "binary-65536": close_after(f(BINARY, payload(65536))),
        "text-and-binary": close_after(
            f(TEXT, b"hello") + f(BINARY, payload(300)) + f(TEXT, "h\u00e9llo \u20ac".encode())),
        # fragmentation
        "fragmented-ping-between": close_after(
            f(TEXT, b"Hel", fin=False) + f(PING, b"mid") + f(CONT, b"lo, ", fin=False) + f(CONT, b"world", fin=True)),
        "utf8-split-across-fragments": close_after(f(TEXT, b"a" + euro[:1], fin=False) + f(CONT, euro[1:] + b"z")),
        "continuation-without-start": f(CONT, b"orphan"),
        "fragmented-control": f(PING, b"pi", fin=False) + f(CONT, b"ng"),
        # ping / pong
        "ping-0-and-125": close_after(f(PING, b"") + f(PING, payload(125))),
        "pong-unsolicited": close_after(f(PONG, b"nobody asked") + f(TEXT, b"after pong")),
        "ping-126": f(PING, payload(126)),
        # close codes
        "close-1000-reason": f(CLOSE, close_payload(1000, b"bye")),
        "close-1002": f(CLOSE, close_payload(1002)),
        "close-empty": f(CLOSE, b""),
        "close-1-byte": f(CLOSE, b"\x03"),
        "close-999-invalid": f(CLOSE, close_payload(999)),
        "close-5000-out-of-range": f(CLOSE, close_payload(5000, b"too high")),
        "close-reason-invalid-utf8": f(CLOSE, close_payload(1000, b"\xff\xfe")),
        "text-after-close": f(CLOSE, close_payload(1000)) + f(TEXT, b"too late"),
        # UTF-8
        "text-invalid-utf8": f(TEXT, b"ab\xc3\x28cd"),
        # reserved bits and opcodes, non-minimal length, size limit
        "rsv1-set": f(TEXT, b"deflate?", rsv=0b100),
        "opcode-3-reserved": f(0x3, b"data?"),
        "opcode-b-reserved": f(0xB, b"control?"),
        "length-not-minimal": f(TEXT, b"short", length16=True),
        "length-huge": f.header_only(BINARY, 1 << 40),
    }


def codec_cases() -> dict[str, bytes]:
    """codec_fuzz input: byte 0 options, byte 1 piece-size tune (see codec_fuzz.cpp), then masked frames."""
    f = Framer(masked=True)
    frames = frame_cases(f, lambda b: b + f(CLOSE, close_payload(1000)))

    def deflate(m: bytes, z) -> bytes:
        return (z.compress(m) + z.flush(zlib.Z_SYNC_FLUSH))[:-4]  # without the 00 00 ff ff tail (RFC 7692 §7.2.1)
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    c1, c2 = deflate(b"hello " * 20, z), deflate(b"hello " * 20, z)  # c2 refers back into c1
    compressed = {
        "deflate-takeover": f(TEXT, c1, rsv=4) + f(TEXT, c2[:3], fin=False, rsv=4) + f(CONT, c2[3:]),
        "deflate-bomb": f(BINARY, deflate(b"a" * 200000, zlib.compressobj(9, zlib.DEFLATED, -15)), rsv=4),
        "deflate-corrupt": f(BINARY, b"\xff\xff\xff\xff", rsv=4),
    }
    cases = {}
    for flags in (0x00, 0x01, 0x02, 0x27, 0xC3):  # whole, byte by byte, odd pieces, 4 KiB limit, close + pings
        cases.update({f"{name}-{flags:02x}": bytes([flags, 5]) + body for name, body in frames.items()})
    for flags, tune in ((0x08, 5), (0x0A, 5), (0x4E, 5), (0x08, 0x85)):  # deflate; 0x85: no context takeover
        cases.update({f"{n}-{flags:02x}-{tune:02x}": bytes([flags, tune]) + b for n, b in compressed.items()})
    return cases


def client_cases() -> dict[str, bytes]:
    f = Framer(masked=False)

    def then_close(frames: bytes) -> bytes:
        return frames + f(CLOSE, close_payload(1000, b"bye"))

    cases = frame_cases(f, then_close)
    # masking: a server must not mask
    cases["masked-text"] = f(TEXT, b"masked by a server", masked=True)
    return cases


def write(directory: pathlib.Path, cases: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        old.unlink()
    for name, data in sorted(cases.items()):
        (directory / name).write_bytes(data)
    total = sum(len(d) for d in cases.values())
    print(f"{directory.relative_to(HERE.parent.parent)}: {len(cases)} files, {total} bytes")


if __name__ == "__main__":
    write(CORPUS / "codec", codec_cases())
    write(CORPUS / "client_receive", client_cases())
