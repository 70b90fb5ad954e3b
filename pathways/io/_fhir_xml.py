"""FHIR R4 XML, read safely into the FHIR JSON form of its root resource.

:func:`parse_fhir_xml` turns a FHIR XML document (a Bundle or any single resource) into the dict
``json.load`` gives for the same resource written in FHIR JSON, by the R4 rules
(https://hl7.org/fhir/R4/xml.html, https://hl7.org/fhir/R4/json.html), so that the FHIR reader
(:mod:`pathways.io.fhir`) treats XML and JSON alike:

- ``<x value="v"/>`` becomes ``"x": v``: a JSON boolean for ``boolean``, a JSON number for ``integer``,
  ``positiveInt``, ``unsignedInt`` and ``decimal`` (as ``json.load`` reads it: ``2`` an int, ``2.50`` a
  float), a string for every other primitive. An ``id`` attribute or ``<extension>`` on a primitive goes
  to ``"_x": {"id": ..., "extension": [...]}``; in arrays ``x`` and ``_x`` stay aligned with ``null``.
- A complex element becomes an object; its ``id`` attribute ``"id"``, an extension's ``url`` attribute
  ``"url"``. A resource inside ``<resource>``, ``<contained>``, ``<outcome>`` (any element that holds
  one) becomes an object with ``"resourceType"``.
- Left out: a resource's narrative (``<text>`` with its XHTML ``<div>``; the reader never uses it, and
  its XHTML cannot be rebuilt byte for byte) and comments (JSON has none). Empty elements (no value, no
  id, no children) give nothing, as FHIR JSON has no empty objects.

Arrays: FHIR JSON writes every element whose maximum cardinality is above 1 as an array, even with
one item; XML does not say which, so :data:`_ELEMENTS` lists, from the R4 definitions, the elements of
the resources the reader uses (Bundle with link, entry, entry.search/request/response; MessageHeader;
Encounter; Provenance; Patient; Organization; EpisodeOfCare; ServiceRequest, with their backbone
elements) and of the datatypes they use (Meta, Identifier, CodeableConcept, Coding, Reference, Period,
HumanName, Address, ContactPoint, Quantity and its profiles, Money, Range, Ratio, Attachment, Annotation,
Signature, Timing, SampledData, Extension). ``extension`` and ``modifierExtension`` are arrays
everywhere. A choice element (``value[x]``, ``occurred[x]``, ``deceased[x]``...) is typed by its suffix
(``valueBoolean``, ``occurredDateTime``, ``valuePeriod``). Elsewhere (other resources, unlisted
datatypes) an element is an array only when it repeats in the document, and a primitive is a string
unless its choice suffix says otherwise: any element repeated in the document is an array in any case.

Safety: the document streams through expat set up by :mod:`pathways.io._safe_xml` (shared with the
XES reader): any DOCTYPE, entity or external reference is refused before anything is expanded or
fetched; values longer than ``max_value_chars`` and nesting deeper than :data:`MAX_DEPTH` are refused;
so are a root outside the FHIR namespace ``http://hl7.org/fhir``, elements in another namespace, text
where FHIR XML has only elements (``<family>Hansen</family>``: FHIR puts values in ``value=``), unknown
attributes, and values that are not of their type (``<active value="yes"/>``). Every refusal is an
:class:`~pathways.errors.EventLogError` naming the file, the line, what was found and the fix; values
of string type (which may be personal data) are never quoted.
"""

from __future__ import annotations

import functools
import re

from ..errors import OptionError
from ._safe_xml import Refused, parse, safe_parser

FHIR_NS = "http://hl7.org/fhir"
#: Longest value (attribute text) accepted, in characters.
MAX_VALUE_CHARS = 1_000_000
#: Deepest nesting of elements accepted (a HospitalNotification bundle needs about ten levels).
MAX_DEPTH = 256

# Elements by type, from the R4 definitions: `name` a string primitive of at most one value, `name*`
# an array; `:b` boolean, `:i` integer / positiveInt / unsignedInt, `:d` decimal, `:R` an element that
# holds a resource, `:-` left out, `:Type` a complex type or backbone element described on its own
# line. Several type names before the colon share one line. Choice elements ([x]) are typed by suffix.
_ELEMENTS = """
Resource: id meta:Meta implicitRules language text:- contained*:R
Meta: versionId lastUpdated source profile* security*:Coding tag*:Coding
Extension: url
Identifier: use type:CodeableConcept system value period:Period assigner:Reference
CodeableConcept: coding*:Coding text
Coding: system version code display userSelected:b
Reference: reference type identifier:Identifier display
Period: start end
HumanName: use text family given* prefix* suffix* period:Period
Address: use type text line* city district state postalCode country period:Period
ContactPoint: system value use rank:i period:Period
Quantity Age Count Distance Duration SimpleQuantity MoneyQuantity: value:d comparator unit system code
Money: value:d currency
Range: low:Quantity high:Quantity
Ratio: numerator:Quantity denominator:Quantity
Attachment: contentType language data url size:i hash title creation
Annotation: time text
Signature: type*:Coding when who:Reference onBehalfOf:Reference targetFormat sigFormat data
Timing: event* repeat:Timing.repeat code:CodeableConcept
Timing.repeat: count:i countMax:i duration:d durationMax:d durationUnit frequency:i frequencyMax:i period:d
  periodMax:d periodUnit dayOfWeek* timeOfDay* when* offset:i
SampledData: origin:Quantity period:d factor:d lowerLimit:d upperLimit:d dimensions:i data
Bundle: identifier:Identifier type timestamp total:i link*:Bundle.link entry*:Bundle.entry signature:Signature
Bundle.link: relation url
Bundle.entry: link*:Bundle.link fullUrl resource:R search:Bundle.entry.search request:Bundle.entry.request
  response:Bundle.entry.response
Bundle.entry.search: mode score:d
Bundle.entry.request: method url ifNoneMatch ifModifiedSince ifMatch ifNoneExist
Bundle.entry.response: status location etag lastModified outcome:R
MessageHeader: destination*:MessageHeader.destination sender:Reference enterer:Reference author:Reference
  source:MessageHeader.source responsible:Reference reason:CodeableConcept response:MessageHeader.response
  focus*:Reference definition
MessageHeader.destination: name target:Reference endpoint receiver:Reference
MessageHeader.source: name software version contact:ContactPoint endpoint
MessageHeader.response: identifier code details:Reference
Encounter: identifier*:Identifier status statusHistory*:Encounter.statusHistory class:Coding
  classHistory*:Encounter.classHistory type*:CodeableConcept serviceType:CodeableConcept
  priority:CodeableConcept subject:Reference episodeOfCare*:Reference basedOn*:Reference
  participant*:Encounter.participant appointment*:Reference period:Period length:Duration
  reasonCode*:CodeableConcept reasonReference*:Reference diagnosis*:Encounter.diagnosis account*:Reference
  hospitalization:Encounter.hospitalization location*:Encounter.location serviceProvider:Reference
  partOf:Reference
Encounter.statusHistory: status period:Period
Encounter.classHistory: class:Coding period:Period
Encounter.participant: type*:CodeableConcept period:Period individual:Reference
Encounter.diagnosis: condition:Reference use:CodeableConcept rank:i
Encounter.hospitalization: preAdmissionIdentifier:Identifier origin:Reference admitSource:CodeableConcept
  reAdmission:CodeableConcept dietPreference*:CodeableConcept specialCourtesy*:CodeableConcept
  specialArrangement*:CodeableConcept destination:Reference dischargeDisposition:CodeableConcept
Encounter.location: location:Reference status physicalType:CodeableConcept period:Period
Provenance: target*:Reference recorded policy* location:Reference reason*:CodeableConcept
  activity:CodeableConcept agent*:Provenance.agent entity*:Provenance.entity signature*:Signature
Provenance.agent: type:CodeableConcept role*:CodeableConcept who:Reference onBehalfOf:Reference
Provenance.entity: role what:Reference agent*:Provenance.agent
Patient: identifier*:Identifier active:b name*:HumanName telecom*:ContactPoint gender birthDate
  address*:Address maritalStatus:CodeableConcept photo*:Attachment contact*:Patient.contact
  communication*:Patient.communication generalPractitioner*:Reference managingOrganization:Reference
  link*:Patient.link
Patient.contact: relationship*:CodeableConcept name:HumanName telecom*:ContactPoint address:Address gender
  organization:Reference period:Period
Patient.communication: language:CodeableConcept preferred:b
Patient.link: other:Reference type
Organization: identifier*:Identifier active:b type*:CodeableConcept name alias* telecom*:ContactPoint
  address*:Address partOf:Reference contact*:Organization.contact endpoint*:Reference
Organization.contact: purpose:CodeableConcept name:HumanName telecom*:ContactPoint address:Address
EpisodeOfCare: identifier*:Identifier status statusHistory*:EpisodeOfCare.statusHistory type*:CodeableConcept
  diagnosis*:EpisodeOfCare.diagnosis patient:Reference managingOrganization:Reference period:Period
  referralRequest*:Reference careManager:Reference team*:Reference account*:Reference
EpisodeOfCare.statusHistory: status period:Period
EpisodeOfCare.diagnosis: condition:Reference role:CodeableConcept rank:i
ServiceRequest: identifier*:Identifier instantiatesCanonical* instantiatesUri* basedOn*:Reference
  replaces*:Reference requisition:Identifier status intent category*:CodeableConcept priority doNotPerform:b
  code:CodeableConcept orderDetail*:CodeableConcept subject:Reference encounter:Reference authoredOn
  requester:Reference performerType:CodeableConcept performer*:Reference locationCode*:CodeableConcept
  locationReference*:Reference reasonCode*:CodeableConcept reasonReference*:Reference insurance*:Reference
  supportingInfo*:Reference specimen*:Reference bodySite*:CodeableConcept note*:Annotation
  patientInstruction relevantHistory*:Reference
"""

# the type a choice element's suffix names (valueBoolean, occurredDateTime, valuePeriod, ...)
_SUFFIX_PRIMITIVES = {"Boolean": "b", "Integer": "i", "PositiveInt": "i", "UnsignedInt": "i", "Decimal": "d",
                      **dict.fromkeys(("String", "Code", "Id", "Uri", "Url", "Canonical", "Oid", "Uuid",
                                       "Markdown", "Base64Binary", "Instant", "Date", "DateTime", "Time"), "s")}
_SUFFIX_COMPLEX = frozenset((
    "Address", "Age", "Annotation", "Attachment", "CodeableConcept", "Coding", "ContactPoint", "Count",
    "Distance", "Duration", "HumanName", "Identifier", "Money", "Period", "Quantity", "Range", "Ratio",
    "Reference", "SampledData", "Signature", "Timing", "ContactDetail", "Contributor", "DataRequirement",
    "Expression", "ParameterDefinition", "RelatedArtifact", "TriggerDefinition", "UsageContext", "Dosage",
    "Meta"))
_EXTENSIONS = ("extension", "modifierExtension")  # arrays of Extension on every element
_PRIMITIVE = frozenset("sbid")
_ELEMENT_NAME = re.compile(r"[a-z][A-Za-z0-9]{0,63}\Z")
_RESOURCE_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,63}\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_TYPE_NAMES = {"b": "a boolean (true or false)", "i": "an integer", "d": "a decimal number"}
_SKIP = "-"  # the kind of an element left out with everything inside it


@functools.cache
def _table() -> dict[str, dict[str, tuple[str, bool]]]:
    """type name -> element name -> (kind, is an array), from :data:`_ELEMENTS`."""
    table: dict[str, dict[str, tuple[str, bool]]] = {}
    for line in re.sub(r"\n +", " ", _ELEMENTS).strip().splitlines():
        names, _, elements = line.partition(":")
        spec = {}
        for item in elements.split():
            name, _, kind = item.partition(":")
            spec[name.rstrip("*")] = (kind or "s", name.endswith("*"))
        for type_name in names.split():
            table[type_name] = spec
    return table


def _by_suffix(name: str) -> str | None:
    """The kind a choice element's type suffix names (``valueBoolean`` -> ``b``), or None."""
    for i in range(1, len(name)):
        if name[i].isupper():
            suffix = name[i:]
            if suffix in _SUFFIX_PRIMITIVES:
                return _SUFFIX_PRIMITIVES[suffix]
            if suffix in _SUFFIX_COMPLEX:
                return suffix
    return None


class _Frame:
    """An open element: its name, kind (a primitive code, a type name, R, - or None if unknown) and content."""

    __slots__ = ("name", "kind", "spec", "array", "value", "id", "url", "children", "resource", "is_resource")

    def __init__(self, name, kind, spec, array=False, is_resource=False):
        self.name, self.kind, self.spec, self.array, self.is_resource = name, kind, spec, array, is_resource
        self.value = self.id = self.url = self.resource = None
        self.children: dict[str, list] = {}  # element name -> [is an array, items]


class _Reader:
    """The expat callbacks: builds the JSON form of the document's root resource."""

    _FIX = ("FHIR XML never has a DOCTYPE, and DTDs and entities are refused for safety (they can read local "
            "files, reach the network, or expand to gigabytes). Remove the <!DOCTYPE ...> declaration (and any "
            "&name; reference) from the file and read it again.")

    def __init__(self, name: str, max_value_chars: int):
        self.name = name
        self.max = max_value_chars
        self.stack: list[_Frame] = []
        self.result: dict | None = None
        self.progress = False
        p = safe_parser(self._FIX, any_doctype=True)
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._text
        p.CommentHandler = self._touch
        p.DefaultHandlerExpand = self._touch
        self.parser = p

    def _touch(self, *_):
        self.progress = True

    def _path(self, name: str | None = None) -> str:
        """Where the parser is, for messages: ``Bundle.entry.resource.Patient.active`` (the middle cut when deep)."""
        names = [f.name for f in self.stack] + ([name] if name else [])
        return ".".join(names if len(names) <= 12 else names[:6] + ["..."] + names[-3:])

    # --- elements ---------------------------------------------------------------------------------
    def _start(self, tag, attrs):
        self.progress = True
        ns, _, name = tag.rpartition(" ")
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            raise Refused(f"elements are nested more than {MAX_DEPTH:,} levels deep at {self._path()}; a FHIR "
                          "resource needs a few dozen at most. The file is broken or hostile: check how it "
                          "was produced.")
        if not stack:
            self._root(ns, name)
        elif stack[-1].kind == _SKIP:
            stack.append(_Frame(name, _SKIP, None))
        else:
            if ns != FHIR_NS:
                where = f"the namespace {ns!r}" if ns else "no namespace"
                raise Refused(f"the element <{name[:64]}> inside {self._path()} is in {where}, not in FHIR's "
                              f"({FHIR_NS}); FHIR XML has no other elements (XHTML only in a narrative's <div>). "
                              "Remove it, or fix the namespace declaration (xmlns=...) it got wrong.")
            stack.append(self._child(stack[-1], name))
        frame = stack[-1]
        if frame.kind == _SKIP:
            return
        for key, text in attrs.items():
            if len(text) > self.max:
                raise Refused(f"the {key.rpartition(' ')[2][:64]} attribute of {self._path()} is {len(text):,} "
                              f"characters long, more than max_value_chars={self.max:,}. Such values are refused "
                              "to keep memory bounded; if the value is genuine, pass a larger max_value_chars=..., "
                              "else remove it.")
            if " " in key:  # a namespaced attribute (xsi:schemaLocation, xml:lang): not FHIR content
                continue
            if key == "value" and not frame.is_resource:
                if frame.kind not in _PRIMITIVE and frame.kind is not None:
                    raise Refused(f"{self._path()} has a value attribute, but it is a {frame.kind}, whose content "
                                  "is elements. Check how the file was produced.")
                frame.value = text
            elif key == "id" and not frame.is_resource:
                frame.id = text
            elif key == "url" and frame.kind == "Extension":
                frame.url = text
            else:
                raise Refused(f"{self._path()} has the attribute {key[:64]!r}, which FHIR XML does not have (only "
                              "value, id, and url on an extension). Check how the file was produced.")

    def _root(self, ns: str, name: str) -> None:
        if ns != FHIR_NS:
            where = f"in the namespace {ns!r}" if ns else "in no namespace"
            raise Refused(f"the root element <{name[:64]}> is {where}, not in FHIR's ({FHIR_NS}): this is not FHIR "
                          f'XML. Check the path; a FHIR XML file starts like <Bundle xmlns="{FHIR_NS}">.')
        if not _RESOURCE_NAME.match(name):
            raise Refused(f"the root element <{name[:64]}> is not a FHIR resource (a resource's name starts with a "
                          "capital letter: <Bundle>, <Encounter>, ...). Check that the file holds a whole resource.")
        self.stack.append(self._resource(name))

    @staticmethod
    def _resource(name: str) -> _Frame:
        spec = {**_table()["Resource"], **_table().get(name, {})}
        return _Frame(name, name, spec, is_resource=True)

    def _child(self, parent: _Frame, name: str) -> _Frame:
        if _RESOURCE_NAME.match(name):
            if parent.is_resource or not (parent.kind == "R" or parent.kind is None):
                raise Refused(f"the resource <{name}> is inside {self._path()}, which cannot hold a resource "
                              "(resources go in <resource> or <contained>). Check how the file was produced.")
            if parent.resource is not None:
                raise Refused(f"{self._path()} holds two resources; it holds one. Check how the file was produced.")
            parent.kind = "R"
            return self._resource(name)
        if not _ELEMENT_NAME.match(name):
            raise Refused(f"the element <{name[:64]}> inside {self._path()} is not a FHIR element name (a letter, "
                          "then letters and digits; resources start with a capital). Check how the file was "
                          "produced.")
        if parent.kind in _PRIMITIVE and name not in _EXTENSIONS:
            raise Refused(f"{self._path(name)}: a primitive element holds only <extension> elements. Check how "
                          "the file was produced.")
        if parent.kind == "R":
            raise Refused(f"{self._path(name)}: <{parent.name}> holds a resource (e.g. <Patient>), not "
                          f"<{name}>. Check how the file was produced.")
        if name in _EXTENSIONS:
            kind, array = "Extension", True
        elif name == "resourceType":
            raise Refused(f"{self._path(name)}: FHIR XML names the resource by its element, it has no "
                          "<resourceType>. Remove the element.")
        else:
            kind, array = (parent.spec or {}).get(name) or (_by_suffix(name), False)
        return _Frame(name, kind, _table().get(kind) if kind not in _PRIMITIVE else None, array)

    def _text(self, data: str) -> None:
        self.progress = True
        if self.stack and self.stack[-1].kind != _SKIP and not data.isspace():
            raise Refused(f"{self._path()} holds text; FHIR XML puts every value in a value attribute "
                          '(<family value="..."/>, not <family>...</family>). Check how the file was produced.')

    def _end(self, tag):
        self.progress = True
        frame = self.stack.pop()
        if frame.kind == _SKIP:
            return
        item = self._item(frame)
        if not self.stack:
            self.result = item
            return
        parent = self.stack[-1]
        if frame.is_resource:
            parent.resource = item
            return
        if item is None:
            return
        slot = parent.children.get(frame.name)
        if slot is None:
            parent.children[frame.name] = [frame.array, [item]]
        else:
            if isinstance(item, tuple) != isinstance(slot[1][0], tuple):
                raise Refused(f"{self._path(frame.name)} is a primitive (with a value) in one place and a complex "
                              "element in another. Check how the file was produced.")
            slot[1].append(item)

    def _item(self, frame: _Frame):
        """The JSON form of a closed element: a dict, a (value, extras) pair for a primitive, or None if empty."""
        if frame.is_resource:
            out = {"resourceType": frame.name}
            self._members(frame, out)
            return out
        if frame.kind == "R":
            if frame.children or frame.value is not None:
                raise Refused(f"{self._path(frame.name)} holds a resource and other content; it holds one resource "
                              "only. Check how the file was produced.")
            return frame.resource
        if frame.kind in _PRIMITIVE or (frame.kind is None and frame.value is not None):
            extras = {}
            if frame.id is not None:
                extras["id"] = frame.id
            self._members(frame, extras)
            value = None if frame.value is None else self._typed(frame)
            return None if value is None and not extras else (value, extras or None)
        out = {}
        if frame.id is not None:
            out["id"] = frame.id
        if frame.url is not None:
            out["url"] = frame.url
        self._members(frame, out)
        return out or None

    def _typed(self, frame: _Frame):
        """The JSON value of a primitive's value attribute."""
        text, kind = frame.value, frame.kind
        if kind == "b" and text in ("true", "false"):
            return text == "true"
        if kind == "i" and _INTEGER.match(text):
            return int(text)
        if kind == "d" and _DECIMAL.match(text):
            return int(text) if _INTEGER.match(text) else float(text)
        if kind not in _TYPE_NAMES:
            return text
        raise Refused(f"the value of {self._path(frame.name)} is {text[:40]!r}, not {_TYPE_NAMES[kind]}. Correct "
                      "the value in the file.")

    @staticmethod
    def _members(frame: _Frame, out: dict) -> None:
        """Put the closed children of ``frame`` into ``out`` the way FHIR JSON writes them."""
        for name, (array, items) in frame.children.items():
            array = array or len(items) > 1
            if isinstance(items[0], tuple):  # primitives: values in "x", id and extensions in "_x"
                values = [v for v, _ in items]
                extras = [e for _, e in items]
                if not array:
                    values, extras = values[0], extras[0]
                if values is not None and (not array or any(v is not None for v in values)):
                    out[name] = values
                if extras is not None and (not array or any(e is not None for e in extras)):
                    out["_" + name] = extras
            else:
                out[name] = items if array else items[0]


def parse_fhir_xml(path_or_file, *, max_value_chars: int = MAX_VALUE_CHARS) -> dict:
    """The FHIR JSON form (a dict, as ``json.load`` gives it) of the resource in a FHIR R4 XML document.

    The document (a Bundle, or any single resource) is streamed through the standard library's expat
    parser with every DTD feature refused, and turned into exactly what the same resource written in
    FHIR JSON loads as: numbers and booleans typed, arrays where FHIR JSON has arrays, primitives' ids
    and extensions under ``"_name"``. The module docstring says which elements and datatypes the
    conversion knows by name, and what it leaves out (narratives, comments).

    Parameters
    ----------
    path_or_file : str, os.PathLike or file object
        A path, or a file object open in binary mode (gzip is recognised by its content).
    max_value_chars : int, default 1_000_000
        Longest attribute value accepted; a longer one raises
        :class:`~pathways.errors.EventLogError`, so a hostile or broken file cannot exhaust memory.

    Returns
    -------
    dict
        The root resource, with ``"resourceType"``; a Bundle's entries hold their resources.

    Raises
    ------
    EventLogError
        The file is not XML, or not FHIR XML (a root outside the namespace ``http://hl7.org/fhir``,
        text where FHIR has only elements, an unknown attribute, a value not of its type); it has a
        DOCTYPE or an entity (refused for safety: nothing is expanded or fetched); a value is longer
        than ``max_value_chars``; elements nest deeper than :data:`MAX_DEPTH`. The message names the
        file, the line and column, the element, and the fix.

    Examples
    --------
    >>> import io
    >>> from pathways.io._fhir_xml import parse_fhir_xml
    >>> xml = b'''<Encounter xmlns="http://hl7.org/fhir">
    ...   <id value="e1"/>
    ...   <identifier><value value="x-1"/></identifier>
    ...   <status value="finished"/>
    ...   <class><code value="IMP"/></class>
    ...   <period><start value="2022-12-07T12:00:00+01:00"/></period>
    ...   <hospitalization><extension url="http://example.org/leave"><valueBoolean value="true"/>
    ...   </extension></hospitalization>
    ... </Encounter>'''
    >>> parse_fhir_xml(io.BytesIO(xml))  # doctest: +NORMALIZE_WHITESPACE
    {'resourceType': 'Encounter', 'id': 'e1', 'identifier': [{'value': 'x-1'}], 'status': 'finished',
     'class': {'code': 'IMP'}, 'period': {'start': '2022-12-07T12:00:00+01:00'},
     'hospitalization': {'extension': [{'url': 'http://example.org/leave', 'valueBoolean': True}]}}
    """
    if isinstance(max_value_chars, bool) or not isinstance(max_value_chars, int) or max_value_chars < 1:
        raise OptionError(f"max_value_chars={max_value_chars!r} is not allowed: give a positive whole number of "
                          f"characters, e.g. max_value_chars={MAX_VALUE_CHARS:_}.")
    reader = parse(path_or_file, lambda name: _Reader(name, max_value_chars), kind="FHIR XML",
                   function="parse_fhir_xml", max_value_chars=max_value_chars,
                   not_xml="FHIR JSON and NDJSON are read from files named .json and .ndjson: check the "
                           "file's name, or the path.")
    return reader.result


__all__ = ["parse_fhir_xml", "MAX_VALUE_CHARS", "MAX_DEPTH", "FHIR_NS"]
