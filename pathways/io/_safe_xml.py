"""The safe, streaming expat set-up shared by the XML readers (XES, FHIR XML).

No entity is ever declared, expanded or fetched: a DOCTYPE that declares an entity or attribute
defaults, an external DTD, a reference to an external or undeclared entity each raise :class:`Refused`
from expat's callback, before anything is expanded or fetched (parameter entities are never parsed).
Input is fed in chunks (gzip recognised by its magic bytes), and a token that runs on past the value
budget is refused before expat has buffered it whole, so memory stays bounded.
"""

from __future__ import annotations

import gzip
import os
from xml.parsers import expat

from ..errors import EventLogError

CHUNK = 1 << 16


class Refused(Exception):
    """Raised inside an expat handler; :func:`parse` turns it into EventLogError with the position."""


def safe_parser(fix: str, *, any_doctype: bool = False):
    """An expat parser (namespace separator ``" "``, text buffered) that refuses every DTD feature.

    ``fix`` ends every refusal message; ``any_doctype=True`` refuses even a bare ``<!DOCTYPE x>``.
    """
    p = expat.ParserCreate(namespace_separator=" ")
    p.buffer_text = True
    p.ordered_attributes = False
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(name, system_id, public_id, has_internal_subset):
        if system_id or public_id:
            raise Refused(f"the DOCTYPE refers to an external DTD ({system_id or public_id!s}). " + fix)
        if any_doctype:
            raise Refused(f"the document has a DOCTYPE declaration (<!DOCTYPE {name} ...>). " + fix)

    def entity(name, is_parameter_entity, value, base, system_id, public_id, notation_name):
        what = "an external entity" if system_id or public_id else "an entity"
        raise Refused(f"the DOCTYPE declares {what} ({'%' if is_parameter_entity else '&'}{name};). " + fix)

    def external(context, base, system_id, public_id):
        raise Refused(f"the document refers to an external entity ({system_id or public_id!s}). " + fix)

    def skipped(name, is_parameter_entity):
        raise Refused(f"the document uses the undeclared entity &{name};. " + fix)

    def attlist(element, attribute, type_, default, required):  # defaults would be copied into every element
        raise Refused(f"the DOCTYPE declares attributes of <{element}> (<!ATTLIST ...>). " + fix)

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = entity
    p.ExternalEntityRefHandler = external
    p.SkippedEntityHandler = skipped
    p.AttlistDeclHandler = attlist
    return p


def file_failure(problem: str, line: int | None = None, column: int | None = None):
    """The one-row ``failure_cases`` of an error about a whole file (the code ``unreadable_file``; the line and
    column in ``value`` when known, what is wrong in the error's message)."""
    import pandas as pd

    from .. import rejections

    where = "" if line is None else f"line {line}, column {column}"
    return rejections.long_form(pd.DataFrame({"row": pd.Series([-1], dtype="int64"), "column": [""],
                                              "code": ["unreadable_file"], "value": [where]}))


class _Replay:
    """A file object whose first bytes were already read (to sniff gzip) and are replayed."""

    def __init__(self, head, f):
        self.head, self.f = head, f

    def read(self, n=-1):
        if not self.head:
            return self.f.read(n)
        if n is None or n < 0:
            out, self.head = self.head + self.f.read(), self.head[:0]
            return out
        out, self.head = self.head[:n], self.head[n:]
        if len(out) < n:
            out += self.f.read(n - len(out))
        return out


def _chunks(f):
    """Decoded chunks of a file object; gzip (by its magic bytes) is decompressed as it streams."""
    head = f.read(CHUNK)
    if isinstance(head, bytes) and head[:2] == b"\x1f\x8b":
        f = gzip.GzipFile(fileobj=_Replay(head, f), mode="rb")
        head = None
    if head is not None:
        yield head
        if not head:
            return
    while True:
        data = f.read(CHUNK)
        yield data
        if not data:
            return


def parse(path_or_file, reader, *, kind: str, function: str, max_value_chars: int, not_xml: str = ""):
    """Stream a path or binary file object through ``reader(name)`` and return the reader.

    ``reader(name)`` builds an object with ``.parser`` (from :func:`safe_parser`, with its content
    handlers set) and ``.progress`` (set True by every handler; reset here). Every failure is an
    EventLogError naming the file, the position and the fix; ``not_xml`` is added to the message when
    the input does not even start like XML.
    """
    if isinstance(path_or_file, (str, os.PathLike)):
        name = repr(os.fspath(path_or_file))
        try:
            f = open(path_or_file, "rb")
        except OSError as exc:
            msg = f"cannot open {name}: {exc.strerror}. Check the path (relative paths start from the working folder)."
            raise EventLogError(msg, file_failure(msg)) from None
        with f:
            return _feed(f, reader(name), name, kind, max_value_chars, not_xml)
    if not hasattr(path_or_file, "read"):
        raise EventLogError(f"{function} expects a path or a file object, got {type(path_or_file).__name__}.")
    name = getattr(path_or_file, "name", f"the {kind} stream")
    return _feed(path_or_file, reader(name), name, kind, max_value_chars, not_xml)


def _feed(f, reader, name: str, kind: str, max_value_chars: int, not_xml: str):
    p = reader.parser
    # a token (tag, attribute value, comment) can hold this many bytes before expat reports it
    budget = 4 * max_value_chars + 4 * CHUNK
    fed = since = 0
    first = None  # the first non-blank byte of the input
    try:
        for data in _chunks(f):
            if first is None and isinstance(data, (bytes, str)):
                text = data.lstrip(b"\xef\xbb\xbf \t\r\n" if isinstance(data, bytes) else "\ufeff \t\r\n")
                first = text[:1] or None
            final = not data
            p.Parse(data, final)
            if final:
                break
            fed += len(data)
            if reader.progress:
                reader.progress = False
                since = fed
            elif fed - since > budget:
                raise Refused(f"more than {fed - since:,} bytes without the end of an XML tag or value: "
                              f"a value longer than max_value_chars={max_value_chars:,}. Such values are "
                              "refused to keep memory bounded; pass a larger max_value_chars=... if it is genuine.")
    except Refused as exc:
        raise EventLogError(f"cannot read {name} as {kind} (line {p.CurrentLineNumber}, column "
                            f"{p.CurrentColumnNumber + 1}): {exc}", file_failure(str(exc))) from None
    except expat.ExpatError as exc:
        msg = (f"cannot read {name} as {kind}: the XML is not well-formed at line {exc.lineno}, column "
               f"{exc.offset + 1}: {expat.ErrorString(exc.code)}. ")
        if first is not None and first not in (b"<", "<") and first[:1] not in (b"\xff", b"\xfe", b"\x00"):
            shown = first.decode("latin-1") if isinstance(first, bytes) else first
            msg += f"The file starts with {shown!r}, not '<': it is not XML.{not_xml and ' ' + not_xml}"
        else:
            msg += "Fix the file there (a truncated download, or an unescaped '&' or '<' in a value, are the usual causes)."
        raise EventLogError(msg, file_failure(msg, exc.lineno, exc.offset + 1)) from None
    except (OSError, EOFError, UnicodeError) as exc:  # truncated gzip, unreadable file
        msg = f"cannot read {name} as {kind}: {exc}. Check that the file is complete (re-download or re-export)."
        raise EventLogError(msg, file_failure(msg)) from None
    return reader
