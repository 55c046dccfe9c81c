"""Writes Outlook .msg files: a subject, a sender, recipients, a plain-text body and attachments, as an OLE
compound file (MS-CFB, version 3) holding the MAPI properties of MS-OXMSG. No Python library writes them;
this one writes what readers (python-oxmsg, olefile) need and nothing more, for sample_docs/ and tests.

Streams under 4,096 bytes live in the mini stream (64-byte sectors, the mini FAT); larger ones in the
file's own 512-byte sectors. Siblings are chained as a right-leaning tree in the format's name order.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FAT_SECT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STRING, _BINARY, _INT32, _TIME = 0x001F, 0x0102, 0x0003, 0x0040
_UNICODE_OK = 0x00040000  # PidTagStoreSupportMask: string properties are UTF-16LE


@dataclass
class Attachment:
    name: str
    data: bytes


@dataclass
class Message:
    subject: str
    body: str
    sender_name: str = ""
    sender_email: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)  # (display name, address)
    sent: dt.datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    message_class: str = "IPM.Note"  # "IPM.Note.SMIME" for an encrypted one


def write(msg: Message) -> bytes:
    """The message as the bytes of a .msg file."""
    root: dict[str, bytes | dict] = {}
    props = [
        (0x001A, _STRING, msg.message_class),
        (0x0037, _STRING, msg.subject),
        (0x1000, _STRING, msg.body),
    ]
    props += [(0x340D, _INT32, _UNICODE_OK)]
    if msg.sender_name:
        props += [(0x0C1A, _STRING, msg.sender_name), (0x0042, _STRING, msg.sender_name)]
    if msg.sender_email:
        props += [(0x0C1F, _STRING, msg.sender_email), (0x5D01, _STRING, msg.sender_email)]
    if msg.sent is not None:
        props += [(0x0039, _TIME, msg.sent)]
    header = struct.pack("<8x4I8x", len(msg.to), len(msg.attachments), len(msg.to), len(msg.attachments))
    _put_properties(root, header, props)
    for i, (name, address) in enumerate(msg.to):
        recipient: dict[str, bytes | dict] = {}
        rprops = [(0x3001, _STRING, name), (0x3003, _STRING, address), (0x39FE, _STRING, address)]
        _put_properties(recipient, bytes(8), [*rprops, (0x0C15, _INT32, 1)])  # recipient type: To
        root[f"__recip_version1.0_#{i:08X}"] = recipient
    for i, a in enumerate(msg.attachments):
        attachment: dict[str, bytes | dict] = {}
        aprops = [(0x3707, _STRING, a.name), (0x3704, _STRING, a.name), (0x3701, _BINARY, a.data)]
        _put_properties(attachment, bytes(8), [*aprops, (0x3705, _INT32, 1)])  # attach method: by value
        root[f"__attach_version1.0_#{i:08X}"] = attachment
    root["__nameid_version1.0"] = {f"__substg1.0_{t}0102": b"" for t in ("0002", "0003", "0004")}
    return compound_file(root)


def _put_properties(storage: dict[str, bytes | dict], header: bytes, props: list[tuple]) -> None:
    entries = [header]
    for pid, ptyp, value in props:
        tag = struct.pack("<HHI", ptyp, pid, 6)  # readable and writable
        if ptyp == _STRING:
            data = value.encode("utf-16-le")
            storage[f"__substg1.0_{pid:04X}{ptyp:04X}"] = data
            entries.append(tag + struct.pack("<I4x", len(data) + 2))
        elif ptyp == _BINARY:
            storage[f"__substg1.0_{pid:04X}{ptyp:04X}"] = value
            entries.append(tag + struct.pack("<I4x", len(value)))
        elif ptyp == _TIME:
            ticks = int((value - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10**7)
            entries.append(tag + struct.pack("<Q", ticks))
        else:
            entries.append(tag + struct.pack("<I4x", value))
    storage["__properties_version1.0"] = b"".join(entries)


def compound_file(tree: dict[str, bytes | dict]) -> bytes:
    """An OLE compound file of ``tree``: a name -> bytes (a stream) or a dict (a storage)."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": []}]

    def add(node: dict[str, bytes | dict], parent: int) -> None:
        for name, value in node.items():
            entries.append({"name": name, "type": 1 if isinstance(value, dict) else 2, "children": []})
            me = len(entries) - 1
            entries[parent]["children"].append(me)
            if isinstance(value, dict):
                add(value, me)
            else:
                entries[me]["data"] = value

    add(tree, 0)
    mini, mini_fat = bytearray(), []
    big: list[tuple[int, bytes]] = []
    for i, e in enumerate(entries):
        data = e.get("data")
        if data is None:
            continue
        if len(data) < _CUTOFF:
            n = -(-len(data) // _MINI)
            e["start"] = len(mini) // _MINI if n else _END
            mini_fat += [len(mini_fat) + k + 1 for k in range(n - 1)] + ([_END] if n else [])
            mini += data.ljust(n * _MINI, b"\0")
        else:
            big.append((i, data))
    mini_sectors = -(-len(mini) // _SECTOR)
    mini_fat_sectors = -(-len(mini_fat) * 4 // _SECTOR)
    dir_sectors = -(-len(entries) * 128 // _SECTOR)
    big_sectors = [-(-len(d) // _SECTOR) for _, d in big]
    content = dir_sectors + mini_fat_sectors + mini_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < content + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too big for a compound file without DIFAT sectors")

    fat: list[int] = [_FAT_SECT] * fat_sectors

    def chain(n: int) -> int:
        if n == 0:
            return _END
        start = len(fat)
        fat.extend([start + k + 1 for k in range(n - 1)] + [_END])
        return start

    dir_start = chain(dir_sectors)
    mini_fat_start = chain(mini_fat_sectors)
    entries[0]["start"], entries[0]["size"] = chain(mini_sectors), len(mini)
    for (i, _), n in zip(big, big_sectors, strict=True):
        entries[i]["start"] = chain(n)
    fat += [_FREE] * (fat_sectors * (_SECTOR // 4) - len(fat))

    # Unused entries stay zero: type 0, "unknown or unallocated".
    directory = b"".join(_entry(e, entries) for e in entries).ljust(dir_sectors * _SECTOR, b"\0")
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack(
        "<HHHHH6xIIIIIIIII",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        0,
        fat_sectors,
        dir_start,
        0,
        _CUTOFF,
        mini_fat_start if mini_fat_sectors else _END,
        mini_fat_sectors,
        _END,
        0,
    )
    header += struct.pack("<109I", *(list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)))
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(mini_fat_sectors * _SECTOR, b"\xff"),
        bytes(mini).ljust(mini_sectors * _SECTOR, b"\0"),
        *(d.ljust(n * _SECTOR, b"\0") for (_, d), n in zip(big, big_sectors, strict=True)),
    ]
    return header + b"".join(body)


def _order(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def _entry(e: dict, entries: list[dict]) -> bytes:
    name = e["name"].encode("utf-16-le") + b"\0\0"
    kids = sorted(e["children"], key=lambda k: _order(entries[k]["name"]))
    for a, b in zip(kids, kids[1:], strict=False):
        entries[a]["right"] = b  # a chain to the right: every reader walks it as a tree
    child = kids[0] if kids else _NONE
    size = e.get("size", len(e.get("data", b"")))
    start = e.get("start", _END if e["type"] != 1 else 0)
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name), e["type"], 1)
        + struct.pack("<III", _NONE, e.get("right", _NONE), child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, size)
    )
