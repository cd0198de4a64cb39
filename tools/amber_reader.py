#!/usr/bin/env python3
"""amber_reader.py ARCHIVE_DIR: a second, independent reader of an Amber archive folder.

Written from docs/format/*.md alone (segment.md, record-frame.md, hash-contract.md, log.md,
blob-store.md), with Python 3's standard library and the `zstd` command. It walks every segment,
checks headers, frames, footers and CRC-32C, decompresses every frame (with the stored zstd
dictionaries), unpacks packed commit streams, recomputes every node, model, annotation, conversation
and blob id, checks each commit's log entry against its frame, rebuilds the RFC 6962 Merkle tree,
checks every signed checkpoint's root against it and verifies the latest checkpoint's Ed25519
signature (RFC 8032, written out below) under log/vkey.

It prints one JSON line per conversation, in id order:
  {"id", "nodes" (count), "instances" (count of leaves), "record" (newest stored record),
   "node_list" (every node: "id" and the node's members but "type", depth first, children in
   "created" then id order)}
the same members `amber show --json ID` prints under those names.

On any fault it prints "amber_reader: FILE: offset N: what is wrong" to stderr and exits 1; a missing
`zstd` or a bad command line exits 2. A torn tail of the last segment (an interrupted append) is not
a fault: it is reported on stderr and the data ends there, unless writer.chk says it was durable.

An encrypted archive (codec-5 frames, docs/format/encryption.md §5) is read as far as its files
allow with no key: every frame, CRC, footer and commit's log entry (kept in the clear), the models
and annotations stored in the clear, the Merkle tree and the signed checkpoints are checked as
above; each conversation whose content is encrypted is printed as {"id", "encrypted": true,
"commits" (the seqs of the commits that wrote it)} instead of its nodes, and stderr says how many
were not read. This reader never decrypts: read their content with amber and its key provider, or
through an exported bag (`amber export --bagit`, written in the clear for whoever holds the keys).
"""

import base64
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

READER_VERSION = 3
SEGMENT_READER_VERSION = 4  # segment.md §5: 4 = a compacted segment that may hold merged commit frames (kind 4)
MAX_N = 268_435_456



def split_merged(path, frame):
    """record-frame.md §4a: the entry sequences of a merged frame's commits, each starting at an Info entry."""
    payload, pos, starts = frame.decoded, 0, []
    while pos < len(payload):
        if pos + 5 > len(payload):
            raise Fault(path, frame.offset, f"merged payload byte {pos}: entry header cut short")
        t, length = struct.unpack_from("<BI", payload, pos)
        if t == INFO:
            starts.append(pos)
        elif not starts:
            raise Fault(path, frame.offset, "a merged frame that does not start with an Info entry")
        pos += 5 + length
    if not starts or pos != len(payload):
        raise Fault(path, frame.offset, "a merged frame with no commit, or an entry that runs past its payload")
    return [payload[a:b] for a, b in zip(starts, starts[1:] + [len(payload)])]


def split_sealed(path, frame):
    """encryption.md §5: a codec-5 payload is u32 clear length | u32 clear zstd length | zstd(the Info entry and the
    entries no conversation owns) | u32 block count | blocks, each u8 kind (1) | u8 flags (bit 0 packed, bit 1 key
    named) | u8 id length | conversation id | [bit 1: u8 key name length | key name, §4.1] | u32 plaintext length | u32
    sealed length | nonce, AES-256-GCM ciphertext and tag (sealed length bytes). The
    keys to the blocks (keys.db, wrapped under tenant keys kept outside the archive) are not this reader's: it returns
    the clear entries and each block's conversation id and plaintext length."""
    payload = frame.payload
    try:
        clear_len, clear_zstd = struct.unpack_from("<II", payload, 0)
        if 8 + clear_zstd > len(payload):
            raise ValueError(f"the clear part ({clear_zstd} bytes) runs past the payload")
        clear = zstd_decompress(payload[8:8 + clear_zstd], None)
        if len(clear) != clear_len:
            raise ValueError(f"the clear part decodes to {len(clear)} bytes, the payload says {clear_len}")
        p = 8 + clear_zstd
        count = struct.unpack_from("<I", payload, p)[0]
        p += 4
        blocks = []
        for b in range(count):
            kind, flags, id_len = payload[p], payload[p + 1], payload[p + 2]
            if kind != 1 or flags > 3 or id_len == 0:
                raise ValueError(f"block {b}: kind {kind}, flags {flags}, id length {id_len}")
            cid = payload[p + 3:p + 3 + id_len].decode("utf-8")
            p += 3 + id_len
            if flags & 2:
                # The block names the keys.db subject of a key made ahead (spare:N); the reader needs no key either way.
                name_len = payload[p]
                if name_len == 0:
                    raise ValueError(f"block {b} ({cid}): a key name of length 0")
                payload[p + 1:p + 1 + name_len].decode("utf-8")
                p += 1 + name_len
            length, sealed_len = struct.unpack_from("<II", payload, p)
            p += 8
            if sealed_len < 28 or p + sealed_len > len(payload):
                raise ValueError(f"block {b} ({cid}): {sealed_len} sealed bytes do not fit the payload")
            p += sealed_len
            blocks.append((cid, length))
        if p != len(payload):
            raise ValueError(f"{len(payload) - p} bytes follow the last block")
    except (struct.error, IndexError, UnicodeDecodeError) as e:
        raise Fault(path, frame.offset, f"a codec-5 (encrypted) payload cut short or malformed: {e}")
    except ValueError as e:
        raise Fault(path, frame.offset, f"a codec-5 (encrypted) payload that does not parse: {e}")
    if clear_len + sum(length for _, length in blocks) != frame.length:
        raise Fault(path, frame.offset, f"the clear part and the blocks hold {clear_len + sum(length for _, length in blocks)} bytes, the header says {frame.length}")
    return clear, blocks


class Fault(Exception):
    def __init__(self, path, offset, message):
        super().__init__(f"{path}: offset {offset}: {message}")


# ---------------------------------------------------------------- CRC-32C (segment.md §1)

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    t = _CRC
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---------------------------------------------------------------- Ed25519 verification (RFC 8032 §5.1.7)

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % _P
    y = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    d = 2 * a[2] * b[2] % _P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _decode_point(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def ed25519_verify(public, message, signature):
    """True when signature is a valid Ed25519 signature of message under the 32-byte public key."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public)
    r = _decode_point(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


# RFC 8032 §7.1 TEST 1, 2 and 3: (public key, message, signature), hex.
RFC8032_VECTORS = [
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


def self_test():
    for pub, msg, sig in RFC8032_VECTORS:
        pub, msg, sig = bytes.fromhex(pub), bytes.fromhex(msg), bytes.fromhex(sig)
        if not ed25519_verify(pub, msg, sig):
            return False
        bad = bytearray(sig)
        bad[0] ^= 1
        if ed25519_verify(pub, msg, bytes(bad)) or ed25519_verify(pub, msg + b"x", sig):
            return False
    return crc32c(b"123456789") == 0xE3069283


# ---------------------------------------------------------------- canonical JSON (hash-contract.md §2)

def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate member {k!r}")
        obj[k] = v
    return obj


def parse_json(data):
    return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def _es_number(x):
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _es_number(-x)
    text = repr(x)                         # the shortest digits that round-trip, like ECMAScript
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    n = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    return digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\]')


def _escape(match):
    ch = match.group()
    return _ESCAPES.get(ch) or "\\u%04x" % ord(ch)


def _jcs_string(s):
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def jcs(v):
    """RFC 8785 canonical JSON text of a parsed value."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return _jcs_string(v)
    if isinstance(v, int):
        return str(v) if abs(v) <= 2 ** 53 else _es_number(float(v))
    if isinstance(v, float):
        return _es_number(v)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(_jcs_string(k) + ":" + jcs(v[k]) for k in keys) + "}"
    raise ValueError(f"not a JSON value: {type(v).__name__}")


def canonical_bytes(v):
    return jcs(v).encode("utf-8")


def content_id(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest_of(ids):
    """log.md §1: the ids joined by \\n, hashed."""
    return content_id("\n".join(ids).encode("utf-8"))


# ---------------------------------------------------------------- zstd (the command)

def zstd_frame_content_size(frame):
    """RFC 8878 §3.1.1.1: the Frame_Content_Size in a zstd frame header, or None when absent."""
    if len(frame) < 6 or frame[:4] != b"\x28\xb5\x2f\xfd":
        return None
    fhd = frame[4]
    fcs_flag, single, dict_flag = fhd >> 6, (fhd >> 5) & 1, fhd & 3
    pos = 5 + (0 if single else 1) + (0, 1, 2, 4)[dict_flag]
    size = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if size == 0 or pos + size > len(frame):
        return None
    value = int.from_bytes(frame[pos:pos + size], "little")
    return value + 256 if size == 2 else value


def zstd_decompress(data, dictionary_file=None):
    cmd = ["zstd", "-d", "-c", "-q"]
    if dictionary_file is not None:
        cmd += ["-D", dictionary_file]
    run = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        raise ValueError("zstd -d failed: " + run.stderr.decode("utf-8", "replace").strip())
    return run.stdout


# ---------------------------------------------------------------- packed commit stream (record-frame.md §10)

def _varint(buf, pos):
    value = shift = 0
    for i in range(5):
        if pos >= len(buf):
            raise ValueError("varint runs past its end")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if value > 2 ** 31 - 1:
                raise ValueError("varint above 2^31 - 1")
            return value, pos
    raise ValueError("varint longer than 5 bytes")


def decode_literal(src, offset):
    """record-frame.md §10.3: the decoded bytes of the JSON string literal whose quote is at offset."""
    if offset >= len(src) or src[offset] != 0x22:
        raise ValueError(f"no string literal at {offset}")
    out = bytearray()
    i = offset + 1
    simple = {0x22: b'"', 0x5C: b"\\", 0x2F: b"/", 0x62: b"\b", 0x66: b"\f", 0x6E: b"\n", 0x72: b"\r", 0x74: b"\t"}
    while True:
        stop = _QUOTE_OR_ESCAPE.search(src, i)
        if stop is None:
            raise ValueError("string literal without a closing quote")
        out += src[i:stop.start()]
        i = stop.start()
        if src[i] == 0x22:
            return bytes(out)
        if i + 1 >= len(src):
            raise ValueError("escape at the end")
        e = src[i + 1]
        if e in simple:
            out += simple[e]
            i += 2
            continue
        if e != 0x75:
            raise ValueError("unknown escape")
        unit = _hex4(src, i + 2)
        i += 6
        if 0xD800 <= unit <= 0xDBFF:
            if src[i:i + 2] != b"\\u":
                raise ValueError("lone surrogate")
            low = _hex4(src, i + 2)
            if not 0xDC00 <= low <= 0xDFFF:
                raise ValueError("lone surrogate")
            i += 6
            out += chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).encode("utf-8")
        elif 0xDC00 <= unit <= 0xDFFF:
            raise ValueError("lone surrogate")
        else:
            out += chr(unit).encode("utf-8")


_QUOTE_OR_ESCAPE = re.compile(rb'["\\\\]')


def _hex4(src, pos):
    text = src[pos:pos + 4]
    if len(text) != 4 or any(c not in b"0123456789abcdefABCDEF" for c in text):
        raise ValueError("bad \\u escape")
    return int(text, 16)


_BYTE_ESCAPES = {b'"': b'\\"', b"\\": b"\\\\", b"\x08": b"\\b", b"\x0c": b"\\f", b"\n": b"\\n", b"\r": b"\\r", b"\t": b"\\t"}
_BYTE_NEEDS_ESCAPE = re.compile(rb'[\x00-\x1f"\\\\]')


def canonical_contents(data):
    return _BYTE_NEEDS_ESCAPE.sub(lambda m: _BYTE_ESCAPES.get(m.group()) or b"\\u%04x" % m.group()[0], data)


BLOB, EXTERNAL, INFO, CONVERSATION, MODEL, NODE, MEMBERSHIP, ANNOTATION = 5, 6, 1, 2, 3, 4, 7, 8


def _rank(t):
    return 2 if t == INFO else 1 if t == MEMBERSHIP else 0


def unpack(stream, expected_length):
    """record-frame.md §10: the entry sequence a packed stream stands for."""
    if len(stream) > expected_length:
        raise ValueError("packed stream longer than the uncompressed length")
    entries = []
    pos = 0
    while pos < len(stream):
        t = stream[pos]
        if not 1 <= t <= 8:
            raise ValueError(f"unknown entry type {t}")
        length, pos = _varint(stream, pos + 1)
        if pos + length > len(stream):
            raise ValueError("entry runs past the end of the stream")
        entries.append((t, stream[pos:pos + length]))
        pos += length
    bodies = [None] * len(entries)
    ids = [None] * len(entries)
    done = [False] * len(entries)
    order = sorted(range(len(entries)), key=lambda k: (_rank(entries[k][0]), k))
    literals = {}                       # (blob entry, offset, …) -> decoded literal, shared by the frame's tokens
    for k in order:
        t, packed = entries[k]
        if t == BLOB:
            digest = hashlib.sha256(packed).digest()
            bodies[k], ids[k] = digest + packed, "sha256:" + digest.hex()
        elif t == EXTERNAL:
            if len(packed) != 40:
                raise ValueError("ExternalBlob body is not 40 bytes")
            bodies[k], ids[k] = packed, "sha256:" + packed[:32].hex()
        else:
            body = _expand(packed, k, t, entries, bodies, ids, done, literals)
            bodies[k] = body
            if t in (MODEL, NODE, ANNOTATION):
                ids[k] = content_id(body)
            elif t == CONVERSATION:
                ids[k] = conversation_id(parse_json(body))
        done[k] = True
    out = b"".join(struct.pack("<BI", t, len(bodies[k])) + bodies[k] for k, (t, _) in enumerate(entries))
    if len(out) != expected_length:
        raise ValueError(f"unpacks to {len(out)} bytes, not the uncompressed length {expected_length}")
    return out


_TOKEN_START = re.compile(rb"[\x00-\x1f]")


def _expand(packed, me, my_type, entries, bodies, ids, done, literals):
    out = bytearray()
    pos = 0

    def named(k):
        if k >= len(entries) or not done[k]:
            raise ValueError(f"token names entry {k}, which is not unpacked before entry {me}")
        return k

    while pos < len(packed):
        b = packed[pos]
        if b >= 0x20:
            token = _TOKEN_START.search(packed, pos)
            nxt = token.start() if token else len(packed)
            out += packed[pos:nxt]
            pos = nxt
            continue
        if b == 1:
            k, pos = _varint(packed, pos + 1)
            if ids[named(k)] is None:
                raise ValueError(f"id token names entry {k}, which has no id")
            out += ids[k].encode("ascii")
        elif b == 2:
            k, pos = _varint(packed, pos + 1)
            if k >= len(entries) or entries[k][0] != BLOB:
                raise ValueError(f"string token names entry {k}, not a Blob")
            depth, pos = _varint(packed, pos)
            if not 1 <= depth <= 4:
                raise ValueError(f"string token depth {depth} outside 1..4")
            source = entries[k][1]
            path = (k,)
            for _ in range(depth):
                offset, pos = _varint(packed, pos)
                path += (offset,)
                if path not in literals:
                    literals[path] = decode_literal(source, offset)
                source = literals[path]
            start, pos = _varint(packed, pos)
            length, pos = _varint(packed, pos)
            if start + length > len(source):
                raise ValueError("string token runs past its literal")
            out += canonical_contents(source[start:start + length])
        elif b == 3:
            if pos + 33 > len(packed):
                raise ValueError("digest token runs past its end")
            out += ("sha256:" + packed[pos + 1:pos + 33].hex()).encode("ascii")
            pos += 33
        elif b == 4:
            k, pos = _varint(packed, pos + 1)
            if entries[named(k)][0] != MEMBERSHIP:
                raise ValueError(f"nodes-digest token names entry {k}, not a Membership")
            out += digest_of(parse_json(bodies[k])["nodes"]).encode("ascii")
            pos = pos
        elif b == 5:
            if my_type != INFO:
                raise ValueError("blobs-digest token outside the Info entry")
            out += digest_of([ids[j] for j, (t, _) in enumerate(entries) if t in (BLOB, EXTERNAL)]).encode("ascii")
            pos += 1
        else:
            raise ValueError(f"byte 0x{b:02x} in a JSON body is not a token")
    return bytes(out)


def conversation_id(record):
    """hash-contract.md §5: the id hashes the four-member identity object only."""
    identity = {k: record.get(k) for k in ("format", "source", "source_id", "type")}
    return content_id(canonical_bytes(identity))


# ---------------------------------------------------------------- Merkle tree (log.md §2)

def merkle_root(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


# ---------------------------------------------------------------- the archive

class Frame:
    __slots__ = ("offset", "kind", "codec", "dict_id", "length", "payload", "decoded", "sealed")

    def __init__(self, offset, kind, codec, dict_id, length, payload):
        self.offset, self.kind, self.codec, self.dict_id, self.length, self.payload = offset, kind, codec, dict_id, length, payload
        self.decoded = None
        self.sealed = None              # codec 5: [(conversation id, plaintext length)] of its encrypted blocks


class Reader:
    def __init__(self, root):
        self.root = root
        self.tmp = tempfile.TemporaryDirectory(prefix="amber-reader-")
        self.dictionaries = {}          # dictionary id -> file holding it
        self.known = {}                 # id -> "node" | "model" | "blob" | "annotation" | "conversation"
        self.nodes = {}                 # node id -> parsed node
        self.records = {}               # conversation id -> newest stored record
        self.members = {}               # conversation id -> node ids, in the order first attached
        self.member_sets = {}
        self.leaves = []                # log leaf hashes, entry i = seq i + 1
        self.checkpoints = []           # (path, offset, note bytes)
        self.encrypted = {}             # conversation id -> seqs of the commits whose encrypted blocks hold it
        self.notes = []

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    # -- manifest and segments (segment.md §3, §4)

    def read(self):
        manifest_path = self.path("archive.json")
        try:
            with open(manifest_path, "rb") as f:
                manifest = parse_json(f.read())
        except FileNotFoundError:
            raise Fault(manifest_path, 0, "missing: the folder is not an archive")
        except ValueError as e:
            raise Fault(manifest_path, 0, f"not a JSON object: {e}")
        if not isinstance(manifest, dict) or manifest.get("format") != "amber-archive":
            raise Fault(manifest_path, 0, 'format is not "amber-archive"')
        version = manifest.get("version")
        if not isinstance(version, int) or version < 2 or version > READER_VERSION:
            raise Fault(manifest_path, 0, f"archive format version {version!r}: this reader reads 2 and 3")
        archive_id = manifest.get("archive_id")
        if not isinstance(archive_id, str) or len(archive_id) != 32:
            raise Fault(manifest_path, 0, "archive_id is missing or not 32 hex digits")
        self.archive_id = bytes.fromhex(archive_id)

        seg_dir = self.path("segments")
        numbers = sorted(int(n[4:10]) for n in os.listdir(seg_dir)
                         if len(n) == 14 and n.startswith("seg-") and n.endswith(".amb") and n[4:10].isdigit())
        if not numbers:
            raise Fault(seg_dir, 0, "no segment file")
        for i, n in enumerate(numbers, 1):
            if n != i:
                raise Fault(os.path.join(seg_dir, "seg-%06d.amb" % i), 0, f"segment {i} is missing")
        ends = {}
        for n in numbers:
            ends[n] = self.read_segment(n, n == numbers[-1])
        self.check_writer_chk(numbers[-1], ends)
        self.check_log()

    def read_segment(self, number, last):
        path = self.path("segments", "seg-%06d.amb" % number)
        with open(path, "rb") as f:
            data = f.read()
        self.check_header(path, data, number)
        frames = []
        p = 64
        size = len(data)
        sealed = False
        while p < size:
            if data[p:p + 8] == b"AMBEREND":
                problem = self.footer_problem(data, p)
                if problem is None:
                    self.check_footer(path, data, p, len(frames))
                    sealed = True
                    break
                if p + 64 >= size and not problem.startswith("data end"):
                    self.torn(path, p, problem, last)
                    break
                raise Fault(path, p, f"damaged footer ({problem}) with bytes after it")
            problem = self.frame_problem(data, p)
            if problem is None:
                n = struct.unpack_from("<I", data, p)[0]
                kind, codec, flags, dict_id, length = struct.unpack_from("<BBHII", data, p + 4)
                frames.append(Frame(p, kind, codec, dict_id, length, data[p + 16:p + 4 + n]))
                p += n + 12
                continue
            if self.valid_after(data, p):
                raise Fault(path, p, f"{problem}, and valid data follows, so this is damage, not a torn write")
            self.torn(path, p, problem, last)
            break
        if not sealed and not last:
            raise Fault(path, p, f"missing footer, though segment {number + 1} follows it")
        self.decode_frames(path, frames)
        for frame in frames:
            self.apply(path, frame)
        return p

    def check_header(self, path, data, number):
        if len(data) < 64:
            raise Fault(path, 0, "segment header shorter than 64 bytes")
        if data[:8] != b"AMBERSEG":
            raise Fault(path, 0, "bad segment magic")
        if crc32c(data[:60]) != struct.unpack_from("<I", data, 60)[0]:
            raise Fault(path, 60, "segment header CRC-32C mismatch")
        version, min_reader, seg_no = struct.unpack_from("<HHI", data, 8)
        if min_reader > SEGMENT_READER_VERSION:
            raise Fault(path, 10, f"needs reader version {min_reader}")
        if data[16:32] != self.archive_id:
            raise Fault(path, 16, "archive id differs from archive.json")
        if seg_no != number:
            raise Fault(path, 12, f"header says segment {seg_no}")

    @staticmethod
    def footer_problem(data, p):
        if p + 64 > len(data):
            return "footer cut short"
        if crc32c(data[p:p + 60]) != struct.unpack_from("<I", data, p + 60)[0]:
            return "footer CRC-32C mismatch"
        if struct.unpack_from("<q", data, p + 8)[0] != p:
            return "data end differs from the footer's offset"
        if p + 64 != len(data):
            return "data end: bytes follow the footer"
        return None

    def check_footer(self, path, data, p, frames):
        if hashlib.sha256(data[:p]).digest() != data[p + 16:p + 48]:
            raise Fault(path, p + 16, "footer SHA-256 differs from the segment's bytes")
        count = struct.unpack_from("<I", data, p + 48)[0]
        if count != frames:
            raise Fault(path, p + 48, f"footer counts {count} frames, the segment holds {frames}")

    @staticmethod
    def frame_problem(data, p):
        if p + 4 > len(data):
            return "fewer than 4 bytes"
        n = struct.unpack_from("<I", data, p)[0]
        if n < 12 or n > MAX_N:
            return f"bad frame length {n}"
        if p + n + 12 > len(data):
            return "frame runs past the end of the file"
        if struct.unpack_from("<I", data, p + 4 + n + 4)[0] != n:
            return "trailing length differs from the leading one"
        if crc32c(data[p + 4:p + 4 + n]) != struct.unpack_from("<I", data, p + 4 + n)[0]:
            return "frame CRC-32C mismatch"
        kind, codec, flags = struct.unpack_from("<BBH", data, p + 4)
        if kind not in (1, 2, 3, 4) or codec > 5 or flags != 0:
            return f"unknown kind {kind}, codec {codec} or flags {flags}"
        return None

    def valid_after(self, data, p):
        """segment.md §9: does a valid frame or a footer whose CRC holds start anywhere after p?"""
        for q in range(p + 1, len(data)):
            if data[q:q + 8] == b"AMBEREND":
                if q + 64 <= len(data) and crc32c(data[q:q + 60]) == struct.unpack_from("<I", data, q + 60)[0]:
                    return True
                continue
            if q + 4 > len(data):
                break
            n = struct.unpack_from("<I", data, q)[0]
            if 12 <= n <= MAX_N and q + n + 12 <= len(data) and self.frame_problem(data, q) is None:
                return True
        return False

    def torn(self, path, p, problem, last):
        if not last:
            raise Fault(path, p, f"{problem}, in a segment that is not the last")
        self.notes.append(f"{path}: offset {p}: torn tail ({problem}); the data ends here")

    # -- frames (record-frame.md §3 to §8; codec 5 is encryption.md §5)

    def decode_frames(self, path, frames):
        """Decompress the segment's zstd frames: one zstd process per dictionary, not one per frame."""
        groups = {}
        for frame in frames:
            if frame.kind == 2:
                self.add_dictionary(path, frame)
            elif frame.codec == 0:
                frame.decoded = frame.payload
            elif frame.codec == 5:
                if frame.kind != 1:
                    raise Fault(path, frame.offset, f"a kind {frame.kind} frame with codec 5")
                frame.decoded, frame.sealed = split_sealed(path, frame)
            elif frame.kind not in (1, 4):
                raise Fault(path, frame.offset, f"a kind {frame.kind} frame with codec {frame.codec}")
            else:
                dict_id = frame.dict_id if frame.codec in (2, 4) else 0
                if dict_id and dict_id not in self.dictionaries:
                    raise Fault(path, frame.offset, f"names dictionary {dict_id}, which no earlier frame holds")
                if not dict_id and frame.dict_id:
                    raise Fault(path, frame.offset, f"codec {frame.codec} with dictionary id {frame.dict_id}")
                groups.setdefault(dict_id, []).append(frame)
        for dict_id, group in groups.items():
            dictionary = self.dictionaries.get(dict_id)
            sizes = [zstd_frame_content_size(f.payload) for f in group]
            whole = None
            if None not in sizes:
                try:
                    whole = zstd_decompress(b"".join(f.payload for f in group), dictionary)
                except ValueError:
                    whole = None
            if whole is not None and len(whole) == sum(sizes):
                pos = 0
                for frame, size in zip(group, sizes):
                    frame.decoded = whole[pos:pos + size]
                    pos += size
            else:
                for frame in group:     # find the frame that does not decode
                    try:
                        frame.decoded = zstd_decompress(frame.payload, dictionary)
                    except ValueError as e:
                        raise Fault(path, frame.offset, f"the frame's checksum holds but its zstd payload does not decode: {e}")
        for frame in frames:
            if frame.kind in (1, 4) and frame.codec in (3, 4):
                try:
                    frame.decoded = unpack(frame.decoded, frame.length)
                except (ValueError, KeyError, TypeError) as e:
                    raise Fault(path, frame.offset, f"the commit's checksum holds but its packed stream does not unpack: {e}")
            if frame.kind in (1, 4) and frame.codec not in (0, 5) and len(frame.decoded) != frame.length:
                raise Fault(path, frame.offset, f"decodes to {len(frame.decoded)} bytes, the header says {frame.length}")

    def add_dictionary(self, path, frame):
        if frame.codec != 0:
            raise Fault(path, frame.offset, "a dictionary frame that is not codec 0")
        payload = frame.payload
        if len(payload) < 2:
            raise Fault(path, frame.offset, "dictionary frame too short")
        label = struct.unpack_from("<H", payload, 0)[0]
        dictionary = payload[2 + label:]
        if len(dictionary) < 8 or dictionary[:4] != b"\x37\xa4\x30\xec":
            raise Fault(path, frame.offset + 16 + 2 + label, "dictionary without the zstd dictionary magic")
        dict_id = struct.unpack_from("<I", dictionary, 4)[0]
        if dict_id in self.dictionaries:
            return
        file = os.path.join(self.tmp.name, f"dict-{dict_id}")
        with open(file, "wb") as f:
            f.write(dictionary)
        self.dictionaries[dict_id] = file

    def apply(self, path, frame):
        if frame.kind == 2:
            return
        if frame.kind == 3:
            self.checkpoints.append((path, frame.offset, frame.decoded, len(self.leaves)))
            return
        # record-frame.md §4a: a merged frame (kind 4) holds several commits, each from its Info entry to the next.
        for payload in split_merged(path, frame) if frame.kind == 4 else [frame.decoded]:
            try:
                self.apply_commit(path, frame, payload)
            except Fault:
                raise
            except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as e:
                raise Fault(path, frame.offset, f"the commit's content is not what the format says: {e}")

    def apply_commit(self, path, frame, payload):
        entries = []
        pos = 0
        while pos < len(payload):
            if pos + 5 > len(payload):
                raise Fault(path, frame.offset, f"payload byte {pos}: entry header cut short")
            t, length = struct.unpack_from("<BI", payload, pos)
            if not 1 <= t <= 8:
                raise Fault(path, frame.offset, f"payload byte {pos}: unknown entry type {t}")
            if pos + 5 + length > len(payload):
                raise Fault(path, frame.offset, f"payload byte {pos}: entry runs past the payload")
            entries.append((t, payload[pos + 5:pos + 5 + length]))
            pos += 5 + length
        if not entries or entries[0][0] != INFO or sum(1 for t, _ in entries if t == INFO) != 1:
            raise Fault(path, frame.offset, "the first entry is not the one Info entry")

        def fault(message):
            return Fault(path, frame.offset, f"seq {len(self.leaves) + 1}: {message}")

        info_body = entries[0][1]
        info = parse_json(info_body)
        if canonical_bytes(info) != info_body:
            raise fault("the Info entry is not canonical JSON")
        if info.get("type") != "amber.commit/v1" or info.get("seq") != len(self.leaves) + 1:
            raise fault(f"Info type {info.get('type')!r}, seq {info.get('seq')!r}: commits must be numbered 1, 2, … in file order")
        stored = {"blobs": [], "models": [], "annotations": []}
        memberships = {}
        for t, body in entries[1:]:
            if t in (BLOB, EXTERNAL):
                bid = "sha256:" + body[:32].hex()
                if t == BLOB:
                    if len(body) < 32 or hashlib.sha256(body[32:]).digest() != body[:32]:
                        raise fault(f"blob {bid}: its bytes do not hash to its id")
                else:
                    if len(body) != 40:
                        raise fault("an ExternalBlob entry that is not 40 bytes")
                    self.check_external(bid, struct.unpack_from("<Q", body, 32)[0])
                self.known[bid] = "blob"
                stored["blobs"].append(bid)
                continue
            if t == INFO:
                continue
            record = parse_json(body)
            if canonical_bytes(record) != body:
                raise fault(f"a type {t} entry is not canonical JSON")
            if t == CONVERSATION:
                if record.get("type") != "amber.conversation/v1":
                    raise fault("a Conversation entry that is not amber.conversation/v1")
                cid = conversation_id(record)
                self.records[cid] = record
                self.known[cid] = "conversation"
            elif t == MODEL:
                if record.get("type") != "amber.model/v1":
                    raise fault("a Model entry that is not amber.model/v1")
                mid = content_id(body)
                self.known[mid] = "model"
                stored["models"].append(mid)
            elif t == NODE:
                nid = content_id(body)
                self.check_node(nid, record, fault)
                self.nodes[nid] = record
                self.known[nid] = "node"
            elif t == MEMBERSHIP:
                memberships[record["conversation"]] = record["nodes"]
            elif t == ANNOTATION:
                aid = content_id(body)
                if record.get("type") != "amber.annotation/v1":
                    raise fault("an Annotation entry that is not amber.annotation/v1")
                if record.get("target") not in self.known and not self.encrypted:
                    raise fault(f"annotation {aid} names {record.get('target')}, which is not stored before it")
                self.known[aid] = "annotation"
                stored["annotations"].append(aid)
        sealed = {cid for cid, _ in frame.sealed or []}
        if len(sealed) != len(frame.sealed or []):
            raise fault("two encrypted blocks of one conversation")
        if sealed:
            # Blobs, and the annotations whose target the commit holds, are inside the encrypted blocks: the clear
            # annotations must be the entry's in its order, the rest are not seen.
            it = iter(info.get("annotations", []))
            if any(a not in it for a in stored["annotations"]) or info.get("annotations") == []:
                raise fault("an Annotation entry in the clear that the Info entry does not list in that order")
        elif info.get("blob_count") != len(stored["blobs"]) or info.get("blobs_sha256") != digest_of(stored["blobs"]):
            raise fault("blob_count or blobs_sha256 differs from the frame's Blob and ExternalBlob entries")
        elif info.get("annotations", []) != stored["annotations"] or info.get("annotations") == []:
            raise fault("annotations differs from the frame's Annotation entries")
        if info.get("models") != stored["models"]:
            raise fault("models differs from the frame's Model entries")
        listed = set()
        for conv in info.get("conversations"):
            cid = conv["id"]
            listed.add(cid)
            if cid in sealed:
                # Its record, nodes and raw bytes are in its block: known by the ids the entry gives, not checked.
                self.encrypted.setdefault(cid, []).append(info["seq"])
                self.known[cid] = "conversation"
                for leaf in conv.get("leaves", []):
                    self.known.setdefault(leaf, "node")
                for raw in conv.get("raw"):
                    self.known.setdefault(raw, "blob")
                continue
            nodes = memberships.get(cid)
            if nodes is None:
                raise fault(f"conversation {cid} has no Membership entry")
            if cid not in self.records:
                raise fault(f"conversation {cid} has no stored record")
            if conv.get("node_count") != len(nodes) or conv.get("nodes_sha256") != digest_of(nodes):
                raise fault(f"conversation {cid}: node_count or nodes_sha256 differs from its Membership entry")
            for nid in nodes:
                if nid not in self.nodes:
                    raise fault(f"conversation {cid}: Membership names node {nid}, which is not stored")
            in_list = set(nodes)
            parents = {self.nodes[n]["parent"] for n in nodes}
            leaves = [n for n in nodes if n not in parents]
            if len(leaves) != len(in_list - parents) or conv.get("leaf_count") != len(leaves):
                raise fault(f"conversation {cid}: leaf_count differs from its nodes")
            if ("leaves" in conv and conv["leaves"] != leaves) or ("leaves_sha256" in conv and conv["leaves_sha256"] != digest_of(leaves)) \
                    or ("leaves" in conv) == ("leaves_sha256" in conv) or ("leaves" in conv) != (len(leaves) <= 256):
                raise fault(f"conversation {cid}: leaves differ from its nodes")
            for raw in conv.get("raw"):
                if self.known.get(raw) != "blob":
                    raise fault(f"conversation {cid}: raw {raw} is not a stored blob")
            members = self.members.setdefault(cid, [])
            seen = self.member_sets.setdefault(cid, set())
            for nid in nodes:
                if nid not in seen:
                    seen.add(nid)
                    members.append(nid)
        if listed != set(memberships) | sealed or set(memberships) & sealed:
            raise fault("Membership entries and encrypted blocks differ from Info's conversations")
        self.leaves.append(hashlib.sha256(b"\x00" + info_body).digest())

    def check_node(self, nid, node, fault):
        if node.get("type") != "amber.node/v1" or "parent" not in node or not isinstance(node.get("content"), list):
            raise fault(f"node {nid} is not an amber.node/v1 record")
        parent = node["parent"]
        if parent is not None and self.known.get(parent) != "node":
            raise fault(f"node {nid}: parent {parent} is not stored before it")
        generation = node.get("generation")
        if generation is not None:
            if self.known.get(generation.get("model")) != "model":
                raise fault(f"node {nid}: model {generation.get('model')} is not stored before it")
            if "state" in generation and self.known.get(generation["state"]) != "blob":
                raise fault(f"node {nid}: state {generation['state']} is not stored before it")
        for block in node["content"]:
            if block.get("type") == "blob" and self.known.get(block.get("blob")) != "blob":
                raise fault(f"node {nid}: blob {block.get('blob')} is not stored before it")

    def check_external(self, bid, size):
        """blob-store.md §3: blobs/xx/62-hex.zst, one zstd frame of the bytes."""
        digits = bid[len("sha256:"):]
        path = self.path("blobs", digits[:2], digits[2:] + ".zst")
        try:
            with open(path, "rb") as f:
                data = zstd_decompress(f.read())
        except FileNotFoundError:
            raise Fault(path, 0, f"external blob {bid} is missing")
        except ValueError as e:
            raise Fault(path, 0, f"external blob does not decompress: {e}")
        if len(data) != size or content_id(data) != bid:
            raise Fault(path, 0, f"external blob does not hold the {size} bytes of {bid}")

    # -- writer.chk (segment.md §8) and the log (log.md §2 to §4)

    def check_writer_chk(self, last, ends):
        path = self.path("writer.chk")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return
        if len(data) < 24 or data[:8] != b"AMBERCHK" or crc32c(data[:20]) != struct.unpack_from("<I", data, 20)[0]:
            self.notes.append(f"{path}: invalid, ignored")
            return
        segment, offset = struct.unpack_from("<Iq", data, 8)
        if segment > last or (segment == last and offset > ends[last]):
            seg_path = self.path("segments", "seg-%06d.amb" % min(segment, last))
            raise Fault(seg_path, ends[last] if segment == last else 0,
                        f"writer.chk says segment {segment} is durable up to offset {offset}: acknowledged commits are missing")

    def check_log(self):
        vkey_path = self.path("log", "vkey")
        try:
            with open(vkey_path, "r", encoding="utf-8") as f:
                vkey = f.read().strip()
            name, keyid, key = vkey.split("+", 2)
            key = base64.b64decode(key, validate=True)
        except (FileNotFoundError, ValueError) as e:
            raise Fault(vkey_path, 0, f"not a verifier key line: {e}")
        if len(key) != 33 or key[0] != 1 or hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() != keyid:
            raise Fault(vkey_path, 0, "the key is not Ed25519 (0x01) or its key id does not match")
        latest = None
        largest = -1
        for path, offset, note, preceding in self.checkpoints:
            size, root = self.parse_checkpoint(path, offset, note, name)
            if size > preceding:
                raise Fault(path, offset, f"checkpoint covers {size} entries, only {preceding} precede it")
            if size < largest:
                raise Fault(path, offset, f"checkpoint size {size} is below an earlier one ({largest})")
            if merkle_root(self.leaves[:size]) != root:
                raise Fault(path, offset, f"checkpoint root differs from the tree of the first {size} commits (history rewritten?)")
            largest = size
            latest = (path, offset, note)
        if latest is None:
            if self.leaves:
                self.notes.append(f"{self.root}: no signed checkpoint yet; the next writer signs one")
            return
        path, offset, note = latest
        try:
            verified = verify_note(note, name, keyid, key[1:])
        except ValueError as e:
            raise Fault(path, offset, f"the latest checkpoint's signature lines do not parse: {e}")
        if not verified:
            raise Fault(path, offset, f"the latest checkpoint's signature does not verify under {vkey_path}")
        if largest < len(self.leaves):
            self.notes.append(f"{path}: offset {offset}: the latest checkpoint covers {largest} of {len(self.leaves)} commits")

    @staticmethod
    def parse_checkpoint(path, offset, note, origin):
        try:
            text = note.decode("utf-8")
            body = text[:text.rindex("\n\n") + 1]
            lines = body.split("\n")
            size = int(lines[1])
            root = base64.b64decode(lines[2], validate=True)
        except (ValueError, IndexError) as e:
            raise Fault(path, offset, f"not a signed checkpoint: {e}")
        if lines[0] != origin or len(root) != 32 or str(size) != lines[1]:
            raise Fault(path, offset, f"checkpoint origin {lines[0]!r} or root is not this log's")
        return size, root


def verify_note(note, name, keyid, public):
    """log.md §4 / c2sp.org/signed-note: at least one good signature by (name, keyid), none bad."""
    text = note.decode("utf-8")
    split = text.rindex("\n\n")
    body = text[:split + 1].encode("utf-8")
    good = False
    for line in text[split + 2:].split("\n"):
        if not line:
            continue
        if not line.startswith("\u2014 "):
            return False
        signer, _, b64 = line[2:].partition(" ")
        sig = base64.b64decode(b64, validate=True)
        if signer == name and sig[:4].hex() == keyid:
            if len(sig) != 68 or not ed25519_verify(public, body, sig[4:]):
                return False
            good = True
    return good


def conversation_lines(reader):
    """One line per conversation, as `amber show --json` names its members; an encrypted one says so and nothing more."""
    for cid in sorted(set(reader.records) | set(reader.members) | set(reader.encrypted)):
        if cid in reader.encrypted:
            yield '{"id":' + jcs(cid) + ',"encrypted":true,"commits":[' + ",".join(str(s) for s in reader.encrypted[cid]) + "]}"
            continue
        ids = reader.members.get(cid, [])
        in_conv = set(ids)
        order = sorted(ids, key=lambda n: (reader.nodes[n].get("created") is not None,
                                           (reader.nodes[n].get("created") or "").encode("utf-16-be", "surrogatepass"),
                                           n))
        roots, children = [], {}
        for n in order:
            parent = reader.nodes[n]["parent"]
            if parent in in_conv:
                children.setdefault(parent, []).append(n)
            else:
                roots.append(n)
        node_list = []
        stack = list(reversed(roots))
        while stack:
            n = stack.pop()
            node_list.append(n)
            stack.extend(reversed(children.get(n, [])))
        instances = sum(1 for n in ids if n not in children)
        parts = ['"id":' + jcs(cid), '"nodes":' + str(len(ids)), '"instances":' + str(instances)]
        if cid in reader.records:
            parts.append('"record":' + jcs(reader.records[cid]))
        listed = []
        for n in node_list:
            node = {k: v for k, v in reader.nodes[n].items() if k != "type"}
            listed.append('{"id":' + jcs(n) + "".join("," + _jcs_string(k) + ":" + jcs(node[k])
                                                        for k in sorted(node, key=lambda k: k.encode("utf-16-be", "surrogatepass"))) + "}")
        parts.append('"node_list":[' + ",".join(listed) + "]")
        yield "{" + ",".join(parts) + "}"


USAGE = __doc__


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        ok = self_test()
        print("ok: Ed25519 (RFC 8032 §7.1 tests 1-3) and CRC-32C" if ok else "FAILED")
        return 0 if ok else 1
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        out = sys.stdout if len(argv) == 2 else sys.stderr
        out.write(USAGE)
        return 0 if len(argv) == 2 else 2
    root = argv[1]
    if not os.path.isdir(root):
        sys.stderr.write(f"amber_reader: {root}: not a folder\n")
        return 2
    try:
        subprocess.run(["zstd", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.CalledProcessError):
        sys.stderr.write("amber_reader: the zstd command is needed (Debian: apt-get install zstd)\n")
        return 2
    reader = Reader(root)
    try:
        reader.read()
    except Fault as e:
        for note in reader.notes:
            sys.stderr.write(f"amber_reader: note: {note}\n")
        sys.stderr.write(f"amber_reader: fault: {e}\n")
        return 1
    except OSError as e:
        sys.stderr.write(f"amber_reader: fault: {e.filename}: offset 0: {e.strerror}\n")
        return 1
    finally:
        reader.tmp.cleanup()
    for note in reader.notes:
        sys.stderr.write(f"amber_reader: note: {note}\n")
    out = sys.stdout
    for line in conversation_lines(reader):
        out.write(line + "\n")
    signed = "the latest checkpoint verifies" if reader.checkpoints else "no signed checkpoint to verify"
    if reader.encrypted:
        sys.stderr.write(f"amber_reader: note: {len(reader.encrypted)} conversations are encrypted (codec 5, "
                         "docs/format/encryption.md §5): their content was neither read nor checked, since this reader opens "
                         "no keys; their lines say \"encrypted\": true. Their log entries, frames and checkpoints were checked.\n")
    sys.stderr.write(f"amber_reader: ok: {len(reader.leaves)} commits, {len(reader.nodes)} nodes, "
                     f"{len(reader.members)} conversations"
                     f"{f', {len(reader.encrypted)} encrypted (not read)' if reader.encrypted else ''}; {signed}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
