"""Guessing how a delimited text file is written: encoding, separator, header."""

from __future__ import annotations

import codecs
import csv as _csv
import io

_SEPARATORS = (";", ",", "\t", "|")


def sniff(head: bytes, encoding: str | None, sep: str | None) -> tuple[str, str, list[str]]:
    """The encoding, separator and header names of a file from its first bytes."""
    if encoding is None:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"  # Windows exports; a superset of latin-1's printable characters
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    if sep is None:
        counts = {s: first.count(s) for s in _SEPARATORS}
        sep = max(_SEPARATORS, key=lambda s: counts[s]) if any(counts.values()) else ","
    header = next(_csv.reader(io.StringIO(first), delimiter=sep), []) if first else []
    return encoding, sep, header
