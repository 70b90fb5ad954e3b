"""Guessing how a delimited text file is written: encoding, separator, header."""

from __future__ import annotations

import codecs
import csv as _csv
import io
from dataclasses import dataclass

_SEPARATORS = (";", ",", "\t", "|")

#: A codec name for UTF-8 that replaces undecodable bytes by U+FFFD (registered on first use).
LENIENT_UTF8 = "pathways_utf_8_replace"

@dataclass(frozen=True)
class Evidence:
    """What the bytes of a file say about its encoding."""

    not_utf8: int        # bytes that are not part of a well-formed UTF-8 sequence
    utf8_letters: int    # well-formed multi-byte UTF-8 sequences (æ, ø, å written as UTF-8)
    cp1252: bool         # every byte decodes as Windows-1252

    def encoding(self) -> str:
        """UTF-8 when every byte is; else Windows-1252 when the bytes decode as Windows-1252 and those that
        are not UTF-8 outnumber the letters that are (a Windows export); else UTF-8 with the stray bytes
        replaced (:data:`LENIENT_UTF8`), so that letters written as UTF-8 never become mojibake (``Ærø``
        read as Windows-1252 is ``Ã†rÃ¸``)."""
        if not self.not_utf8:
            return "utf-8"
        return "cp1252" if self.cp1252 and self.not_utf8 >= self.utf8_letters else LENIENT_UTF8


def evidence(chunks, *, final: bool = True) -> Evidence:
    """The :class:`Evidence` of the bytes ``chunks`` (an iterable of bytes); ``final=False`` when they are only
    the head of a file (a sequence cut at the end is not counted)."""
    utf8 = codecs.getincrementaldecoder("utf-8")("ignore")
    cp = codecs.getincrementaldecoder("cp1252")("strict")
    n_in = n_kept = letters = 0
    cp_ok = True
    for chunk in chunks:
        n_in += len(chunk)
        text = utf8.decode(chunk)  # undecodable bytes are dropped: count them
        n_kept += len(text.encode("utf-8"))
        letters += len(text) - len(text.encode("ascii", "ignore"))
        if cp_ok:
            try:
                cp.decode(chunk)
            except UnicodeDecodeError:
                cp_ok = False
    pending = utf8.getstate()[0]
    if final:
        n_kept += len(utf8.decode(b"", final=True).encode("utf-8"))  # a cut sequence at the end
    else:
        n_in -= len(pending)
    return Evidence(n_in - n_kept, letters, cp_ok)


def register_lenient_utf8() -> None:
    """Register the :data:`LENIENT_UTF8` codec (once)."""
    import functools

    try:
        codecs.lookup(LENIENT_UTF8)
        return
    except LookupError:
        pass
    utf8 = codecs.lookup("utf-8")
    info = codecs.CodecInfo(
        name=LENIENT_UTF8, encode=utf8.encode,
        decode=lambda data, errors="replace": utf8.decode(data, "replace"),
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=functools.partial(codecs.getincrementaldecoder("utf-8"), errors="replace"))
    codecs.register(lambda n: info if n.replace("-", "_") == LENIENT_UTF8 else None)


@dataclass(frozen=True)
class Layout:
    """How a delimited text file is written, from its first bytes."""

    encoding: str
    sep: str
    header: list          # the names of the first record that is not blank
    skip_lines: int       # physical lines before the data: blank lines, then the header's (CR LF, CR or LF)
    has_data: bool        # False when the file ends with the header (no line break after it)
    problem: str | None   # why the header cannot be read (an unclosed quote, longer than the bytes given)


def layout(head: bytes, encoding: str | None, sep: str | None, *, whole: bool) -> Layout:
    """The :class:`Layout` of a file whose first bytes are ``head`` (``whole``: the entire file).

    The header is the first record that is not blank, parsed as CSV: a quoted name may hold the
    separator, quotes and line breaks.

    Examples
    --------
    >>> found = layout(b'\\n\\nc;a;"note\\nmore"\\n1;x;y\\n', None, None, whole=True)
    >>> found.sep, found.header, found.skip_lines
    (';', ['c', 'a', 'note\\nmore'], 4)
    """
    if encoding is None:
        encoding = evidence([head], final=whole).encoding()
    if encoding == LENIENT_UTF8:
        register_lenient_utf8()
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    start, skip, problem = 0, 0, None
    while True:
        found = _first_record(text, start, sep)
        if found is None:  # no line break outside quotes: the file ends, or head does
            record, ended = text[start:], False
            if _first_record(text + "\n", start, sep) is None:
                problem = "the header has a quote that is never closed"
            elif not whole:
                problem = f"the header does not end within the first {len(head) >> 10} KiB"
            break
        record, lines, start = found
        ended = True
        skip += lines
        if record.strip():
            break  # else a blank line before the header
    if sep is None:
        counts = {s: record.count(s) for s in _SEPARATORS}
        sep = max(_SEPARATORS, key=lambda s: counts[s]) if any(counts.values()) else ","
    header = next(_csv.reader(io.StringIO(record, newline=""), delimiter=sep), []) if record.strip() else []
    return Layout(encoding, sep, header, skip, ended, problem)


def sniff(head: bytes, encoding: str | None, sep: str | None) -> tuple[str, str, list[str]]:
    """The encoding, separator and header names of a file from its first bytes (see :func:`layout`)."""
    found = layout(head, encoding, sep, whole=False)
    return found.encoding, found.sep, found.header


def _first_record(text: str, start: int, sep: str | None):
    """``(record, physical lines, start of the next record)`` of the CSV record at ``start``, or None when
    no line break outside quotes ends it. A quote opens a quoted field only at the start of a field (as
    Python's csv module and pyarrow read it); CR LF, CR and LF each end one physical line."""
    seps = (sep,) if sep else _SEPARATORS
    i, n, lines = start, len(text), 0
    field_start, quoted = True, False
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if text[i + 1:i + 2] == '"':
                    i += 1
                else:
                    quoted = False
            elif ch in "\r\n":
                lines += 1
                if ch == "\r" and text[i + 1:i + 2] == "\n":
                    i += 1
            i += 1
            continue
        if ch == '"' and field_start:
            quoted = True
        elif ch in "\r\n":
            end = i
            if ch == "\r" and text[i + 1:i + 2] == "\n":
                i += 1
            return text[start:end], lines + 1, i + 1
        field_start = ch in seps
        i += 1
    return None
