"""Units -> (domain, sector) and activities -> event types.

Two small lookup objects turn the free-text names of an extract into the
standard categories of DOMAIN.md sections 2 and 3:

* :class:`UnitTaxonomy` maps a unit (department, clinic, municipal service,
  practice) to its ``domain`` (``psychiatric``, ``somatic``, ...) and
  ``sector`` (``region``, ``municipality``, ...). Entries may carry a validity
  period, because organisations merge and units change owner.
* :class:`Vocabulary` maps an activity name to a standard event type
  (``referral``, ``admission``, ``discharge``, ...).

Both are built the same way. ``UnitTaxonomy.default()`` / ``Vocabulary.default()``
is the built-in Danish default: an ordered rule list (and, for activities,
the names of :data:`pathways.schema.EVENT_TYPES`). ``from_dict``, ``from_csv``,
``from_yaml`` and ``from_frame`` build a taxonomy or vocabulary holding only
the user's explicit mappings. The one way to combine them is ``extend``::

    taxonomy = UnitTaxonomy.default().extend("units.csv")
    vocabulary = Vocabulary.default().extend({"Min aktivitet": "referral"})

An explicit mapping always wins over a rule, whatever the order of the calls;
when two mappings name the same unit (or activity), the one passed to
``extend`` replaces the older one. A name that neither a mapping nor a rule
places is ``unknown`` (unit) or ``other`` (activity) with ``classified_by ==
"unknown"``: the library never guesses silently, and the quality report lists
those names.

Rules match whole words, or the start of a Danish compound: a Danish stem
(``psykiat``, ``genoptraen``) may sit inside a compound word
("distriktspsykiatri"), an English word must stand alone ("transferrine" is no
transfer). A single English word that could mean something else ("return",
"transfer", "pharmacy", "surgery", "closure") places nothing on its own: it
needs a context word ("referral returned", "transferred to ICU", "community
pharmacy"), else the name stays ``unknown`` until the user maps it. Every
rule-classified name, with the rule that placed it, is listed by
``pathways.rule_classified(log)`` (and ``QualityReport.rule_classified``) for
the user to confirm or correct.

Both objects work on *distinct* names only (``table_for``): the event log
builder classifies the few hundred distinct names in Python and joins the
result onto the events in the engine.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

import pandas as pd

from . import schema as S
from .engine import check_zone
from .files import input_file
from .textfile import sniff
from .errors import OptionError, check_choice, closest

__all__ = ["UnitTaxonomy", "Vocabulary", "Rule", "UnitClass", "ActivityClass"]

DEFAULT_TZ = "Europe/Copenhagen"
CLASSIFIED_BY = ("mapping", "rule", "unknown")

# --- text normalisation ---------------------------------------------------------------

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue",
                           "é": "e", "è": "e", "á": "a", "ó": "o"})
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_/.,;:()\[\]{}'\"*+|]+")


def _key(name) -> str:
    """The lookup key of an explicit mapping: NFC, case-folded, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


def _fold(name) -> str:
    """The text rules match against: case-folded, æøå spelled ae/oe/aa, punctuation as spaces.

    ``"Børne- og Ungdomspsykiatri"`` becomes ``"boerne og ungdomspsykiatri"`` and
    ``"B & U"`` becomes ``"b&u"``, so one rule matches Danish spelt with or
    without æøå.
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold().translate(_TRANSLIT)
    text = _SEPARATORS.sub(" ", text)
    text = re.sub(r"\s*&\s*", "&", text)
    return text.strip()


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- rules ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One classification rule: a regular expression on the folded name (see ``_fold``).

    ``result`` is ``(domain, sector)`` for units and ``(event_type,)`` for
    activities. A rule matches when ``pattern`` is found and ``unless`` (if
    any) is not. ``source`` tags where the rule comes from: ``"T"`` stated in
    the Danish source documents (DOMAIN.md), ``"X"`` outside knowledge.
    """

    name: str
    pattern: str
    result: tuple[str, ...]
    unless: str | None = None
    source: str = "X"

    def matches(self, folded: str) -> bool:
        """True when the rule applies to an already folded name (patterns compile on first use)."""
        if not _compiled(self.pattern).search(folded):
            return False
        return not (self.unless is not None and _compiled(self.unless).search(folded))


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _first_rule(rules: Iterable[Rule], name) -> Rule | None:
    folded = _fold(name)
    for rule in rules:
        if rule.matches(folded):
            return rule
    return None


_PSY, _SOM, _MUN, _SOC, _SUB, _GP, _OTH = ("psychiatric", "somatic", "municipal_care", "social",
                                           "substance", "general_practice", "other")
_REG, _MUNI, _GPS, _PRIV, _OTHS = "region", "municipality", "general_practice", "private", "other"

#: The ordered unit rules of ``UnitTaxonomy.default()``: the first rule that matches wins.
#: Patterns work on ``_fold(name)`` (lower case, æ/ø/å as ae/oe/aa, punctuation as spaces).
#: Order matters: social psychiatry before psychiatry, private psychiatrists before
#: psychiatry, psychiatry before every somatic and municipal rule (so "Psykiatrisk
#: Akutmodtagelse" and "Psykiatrisk akutteam" are psychiatric), out-of-hours GP and
#: hospital substance units before the hospital marker, the hospital marker before
#: municipal services (a hospital's "Genoptræning" is somatic/region), specialties
#: before the generic "afdeling"/"ambulatorium" catch-all.
UNIT_RULES: tuple[Rule, ...] = (
    # 1. social services of the municipality (before psychiatry: "socialpsykiatri")
    Rule("socialpsykiatri", r"social ?(og )?psykiat|social psychiat", (_SOC, _MUNI), source="T"),
    Rule("bosted / botilbud / bostøtte",
         r"bosted|botilbud|bostoett|bofaellesskab|supported (housing|living)|housing support",
         (_SOC, _MUNI), source="T"),
    Rule("forsorgshjem / herberg / værested",
         r"forsorgshjem|herberg|vaerested|krisecent|hjemloes|\bhomeless|\bshelter|\budsatte\b",
         (_SOC, _MUNI)),
    Rule("jobcenter", r"jobcent|\bjob cent|beskaeftigelse|employment (office|service|centre|center)",
         (_SOC, _MUNI), source="T"),
    Rule("socialforvaltning / børn og familie",
         r"socialforvaltning|socialcent|socialafdeling|social ?raadgiv|social (services|department|work)"
         r"|boern og famil|familieafdeling|familiecent|family services", (_SOC, _MUNI)),
    # 2. private psychiatry (before psychiatry)
    Rule("privatpraktiserende psykiater",
         r"(privat|praktiserende|speciallaege)\w*\s(\w+\s){0,3}\w*psykiat"
         r"|psykiat\w* (i )?(praksis|speciallaege)|private\s(\w+\s){0,2}psychiatr"
         r"|psychiatr\w* in private|private practice psychiatr", (_PSY, _PRIV), source="T"),
    Rule("psykolog (privat praksis)", r"\bpsykolog(?!isk)|\bpsychologist", (_PSY, _PRIV)),
    # 3. regional psychiatry (before every somatic rule: "Psykiatrisk Akutmodtagelse")
    Rule("psykiatri / psykiatrisk / psychiatry", r"psykiat|psychiat", (_PSY, _REG), source="T"),
    Rule("PAM / PVK / DP", r"\b(pam|pvk|dp)\b", (_PSY, _REG), source="T"),
    Rule("B&U / BUP / BUC", r"\b(b&u|bup|buc)\b", (_PSY, _REG), source="T"),
    Rule("psykose / OPUS", r"psykose|\bpsychos[ie]s\b|\bpsychotic|\bopus\b|skizofren|schizophren", (_PSY, _REG)),
    Rule("mental health", r"mental health|\bcamhs\b", (_PSY, _REG)),
    Rule("spiseforstyrrelser / selvmordsforebyggelse",
         r"spiseforstyrr|eating disorder|selvmord|suicid", (_PSY, _REG)),
    Rule("psykoterapi / angst / ADHD", r"psykoterap|psychotherap|\bangst|\badhd\b|affektiv|\bocd\b",
         (_PSY, _REG)),
    # 4. substance use (a hospital's alcohol unit is regional)
    Rule("alkohol- / misbrugsenhed på hospital",
         # anchored: unanchored lookaheads with .* retry at every position (quadratic on long names)
         r"^(?=.*(hospital|sygehus))(?=.*(misbrug|rusmid|alkohol|alcohol|addict))", (_SUB, _REG)),
    Rule("misbrugscenter / rusmidler", r"misbrug|rusmid|stofbehandl|narkoti|substitutionsbeh",
         (_SUB, _MUNI), source="T"),
    Rule("alkoholbehandling", r"alkohol|alcohol", (_SUB, _MUNI)),
    Rule("addiction", r"\baddict|\bsubstance (use|misuse|abuse)|\bdrugs? (treatment|abuse|misuse|service)|\bdetox",
         (_SUB, _MUNI)),
    # 5. general practice, out-of-hours GP included
    Rule("egen læge / almen praksis / praktiserende læge",
         r"egen laege|almen ?praksis|almen medicin|alment praktiserende|praktiserende laege"
         r"|\bgp\b|general practi|family (doctor|physician)|own doctor|primary care (doctor|physician)",
         (_GP, _GPS), source="T"),
    Rule("vagtlæge / lægevagt / 1813",
         r"vagtlaege|laegevagt|\b1813\b|akuttelefon|out of hours|after hours", (_GP, _GPS), source="T"),
    Rule("læge / lægehus / lægepraksis",
         r"\blaege(hus|huset|praksis|praksissen|klinik|klinikken|center|centret)?\b", (_GP, _GPS)),
    # 6. private hospitals (before the hospital marker)
    Rule("privathospital / privatklinik", r"privat ?hospital|privat ?klinik|private (hospital|clinic)",
         (_SOM, _PRIV)),
    # 7. the hospital marker (before municipal services)
    Rule("hospital / sygehus", r"hospital|sygehus", (_SOM, _REG), source="T"),
    # 8. private practice specialists
    Rule("speciallæge / privatpraktiserende",
         r"speciallaege|privatpraktiserende|specialist (practice|doctor|physician)|private practice",
         (_SOM, _PRIV)),
    Rule("øjenlæge / ørelæge / hudlæge", r"oejenlaege|oerelaege|halslaege|hudlaege|gynaekolog i praksis",
         (_SOM, _PRIV)),
    Rule("fysioterapeut / kiropraktor", r"fysioterap|kiroprak|physiotherap|chiropract", (_SOM, _PRIV)),
    # 9. municipal care (after the hospital marker, before the somatic specialties)
    Rule("friplejehjem", r"friplejehjem", (_MUN, _PRIV)),
    Rule("hjemmepleje / hjemmesygepleje",
         r"hjemmepleje|hjemmesygepleje|hjemmehjaelp|home ?care|home help|home nursing|community nursing"
         r"|district nurs", (_MUN, _MUNI), source="T"),
    Rule("sygeplejeklinik / kommunal sygepleje", r"sygepleje|nursing clinic", (_MUN, _MUNI)),
    Rule("akutteam / akutplads / akutfunktion",
         r"akut ?team|akut ?plads|akutfunktion|akutsygepleje|akutstue|akutsengeplads|acute team"
         r"|rapid response|community acute", (_MUN, _MUNI), source="T"),
    Rule("midlertidig plads / korttidsplads / aflastning",
         r"midlertidig|korttids|aflastning|temporary (bed|stay|place|care|housing)"
         r"|short term (bed|stay|place|care)|respite|intermediate care|transitional care",
         (_MUN, _MUNI), source="T"),
    Rule("genoptræning / træning / rehabilitering",
         r"genoptraen|traening|rehabilit|\brehab\b|reablement", (_MUN, _MUNI), source="T"),
    Rule("plejehjem / plejecenter / ældrecenter",
         r"plejehjem|plejecent|plejebolig|aeldrecent|aeldrepleje|daghjem|dagcent|nursing home"
         r"|care home|residential care|elderly care", (_MUN, _MUNI), source="T"),
    Rule("sundhedscenter / sundhedspleje",
         r"sundhedscent|sundhedspleje|forebyggelsescent|health cent|health visitor", (_MUN, _MUNI)),
    Rule("hjælpemidler / kommunal visitation",
         r"hjaelpemid|kommunal\w* visitation|\bvisitationen\b|assistive", (_MUN, _MUNI)),
    # 10. other services
    Rule("tandpleje (kommunal)", r"tandpleje|boernetand|skoletand", (_OTH, _MUNI)),
    Rule("tandlæge / apotek",
         r"tandlaege|tandklinik|\bdentist|\bdental (clinic|practice|surgery)|\bapotek|\b(community|retail) pharmac",
         (_OTH, _PRIV)),
    Rule("PPR", r"\bppr\b|paedagogisk psykologisk", (_OTH, _MUNI)),
    Rule("politi / kriminalforsorg", r"\bpoliti\b|\bpolice\b|kriminalforsorg|faengsel|arresthus|prison",
         (_OTH, _OTHS)),
    # 11. somatic hospital specialties
    Rule("akutmodtagelse / skadestue",
         r"akut ?modtag|akutafdeling|akutklinik|akutcent|akutsengeafsnit|\bfam\b|skadestue|skadeklinik"
         r"|emergency (department|room|unit|ward)|accident and emergency|\ba&e\b|casualty|\btrauma",
         (_SOM, _REG), source="T"),
    Rule("præhospital / ambulance", r"praehospital|prehospital|ambulance|\b112\b|paramedic", (_SOM, _REG)),
    Rule("intensiv", r"intensiv|\bicu\b|critical care", (_SOM, _REG)),
    Rule("medicinsk", r"medicinsk|intern medicin|internal medicine|\bmedical (department|ward|unit)"
         r"|\bmedicine\b", (_SOM, _REG), source="T"),
    Rule("kardiologisk / hjerte", r"kardiolog|hjerte|cardiolog|cardiac|\bheart\b", (_SOM, _REG), source="T"),
    Rule("gastroenterologisk / mave-tarm",
         r"gastroenterolog|gastro|hepatolog|\bmave|\btarm|\bliver\b|bowel|digestive", (_SOM, _REG), source="T"),
    Rule("ortopædkirurgisk / kirurgisk",
         r"ortopaed|orthopa?ed|kirurg|\bsurgical|\bsurgeon|\bsurgery (department|ward|unit)"
         r"|\b(general|vascular|plastic|thoracic|cardiac|abdominal|day) surgery\b", (_SOM, _REG), source="T"),
    Rule("geriatrisk", r"geriatri|aeldremedicin", (_SOM, _REG), source="T"),
    Rule("smerteklinik / pain", r"smerte|\bpain\b", (_SOM, _REG), source="T"),
    Rule("neurologi / onkologi / hæmatologi",
         r"neurolog|apopleksi|\bstroke|onkolog|oncolog|kraeft|cancer|haematolog|hematolog|straalebeh"
         r"|radiotherap", (_SOM, _REG)),
    Rule("lunge / nyre / endokrinologi / øvrige medicinske specialer",
         r"lunge|pulmonolog|respirat|nefrolog|nephrolog|\bnyre|\brenal\b|dialys|endokrinolog|endocrinolog"
         r"|diabetes|reumatolog|rheumatolog|infektion|infectious|\burolog|dermatolog|hudafdeling|hudsygdom"
         r"|oejenafdeling|oejensygdom|oftalmolog|ophthalmolog|oere naese hals|\boenh\b|otolaryngolog",
         (_SOM, _REG)),
    Rule("gynækologi / obstetrik / pædiatri",
         r"gynaekolog|gyn(a)?ecolog|obstetri|foedeafd|foedegang|foedsel|barsel|svangre|maternity"
         r"|paediatri|pediatri|boerneafd|boerneafsnit|boernemedicin|boerne og unge ?afd|neonat",
         (_SOM, _REG)),
    Rule("anæstesi / billeddiagnostik / laboratorium",
         r"anaestesi|anaesthe|anesthe|radiolog|roentgen|billeddiagnost|scanning|biokemi|laborator"
         r"|blodproeve|klinisk fysiologi|nuklearmedicin|patolog|patholog|imaging|x ray", (_SOM, _REG)),
    Rule("palliation / hospice", r"palliat|hospice", (_SOM, _REG), source="T"),
    # 12. generic hospital words, last. A bare "Afdeling Q" / "Afsnit 4711" / "Ukendt afdeling"
    #     says nothing about psychiatric or somatic and stays unknown; "afsnit" alone is never used.
    Rule("afdeling / ambulatorium (med beskrivende ord)",
         r"afdeling|ambulatori|\bdepartment\b|\bward\b|outpatient|inpatient|poliklinik|\bklinik for\b",
         (_SOM, _REG),
         unless=r"\b(ukendt|unknown|andet|anden|other|diverse|misc)\b"
                r"|^(afd|afdeling|afdelingen|ambulatori\w*|department|ward)"
                r"(\s+(\w{1,2}|\w*\d\w*|nord|syd|oest|vest|midt|north|south|east|west))*$",
         source="T"),
)


# --- small result types -----------------------------------------------------------------

class UnitClass(NamedTuple):
    """How one unit is classified: ``domain``, ``sector``, ``classified_by`` and the rule's name."""

    domain: str
    sector: str
    classified_by: str
    rule: str | None = None


class ActivityClass(NamedTuple):
    """How one activity is classified: ``event_type``, ``classified_by`` and the rule's name."""

    event_type: str
    classified_by: str
    rule: str | None = None


# --- helpers shared by both classes -----------------------------------------------------

_DAYFIRST = re.compile(r"^\s*\d{1,2}[-./]\d{1,2}[-./]\d{4}")


def _parse_when(value, where: str, field: str):
    """A validity bound as a pandas Timestamp (naive = local time), or None for an open end."""
    if _is_missing(value):
        return None
    try:
        if isinstance(value, pd.Timestamp):
            ts = value
        elif isinstance(value, (_dt.datetime, _dt.date)):
            ts = pd.Timestamp(value)
        elif isinstance(value, str):
            text = value.strip()
            ts = pd.to_datetime(text, dayfirst=True) if _DAYFIRST.match(text) else pd.Timestamp(text)
        else:
            raise TypeError
        if pd.isna(ts):
            return None
    except (TypeError, ValueError, OverflowError):
        raise OptionError(f"{where}: {field}={value!r} is not a date. Write dates as YYYY-MM-DD "
                          "(or dd-mm-yyyy), optionally with a time; leave it empty for an open end.") from None
    return ts


def _localize(ts, tz: str):
    if ts is None:
        return None
    if ts.tzinfo is None:
        return ts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return ts.tz_convert(tz)


def _read_table(path, *, sep: str | None, encoding: str | None, what: str) -> pd.DataFrame:
    """Read a small CSV as strings: ``;`` or ``,`` (or tab) separated, utf-8 or latin-1.

    A cell that starts with an apostrophe before a formula character (``'=x``,
    ``'-2``: how pathways writes a name a spreadsheet would run as a formula)
    is read without the apostrophe.
    """
    raw = input_file(path, what).read_bytes()
    encoding, sep, _ = sniff(raw[:1 << 16], encoding, sep)
    text = raw.decode(encoding).lstrip("\ufeff")
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                        skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].str.replace(r"^'(?=[ \t]*[=+\-@\t\r])", "", regex=True)
    return frame


def _read_yaml(path):
    import yaml

    with open(input_file(path, "YAML"), "rb") as fh:
        return yaml.safe_load(fh) or {}


def _normalise_columns(frame: pd.DataFrame, aliases: Mapping[str, str], required: tuple[str, ...],
                       optional: tuple[str, ...], what: str) -> pd.DataFrame:
    """Rename known aliases (Danish headers, any case) to canonical names; check what is required."""
    known = (*required, *optional)
    rename = {}
    for col in frame.columns:
        k = _fold(col).replace(" ", "_")
        target = aliases.get(k, k if k in known else None)
        if target is not None:
            rename[col] = target
    frame = frame.rename(columns=rename)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        available = ", ".join(repr(str(c)) for c in frame.columns)
        hints = "".join(f" (closest to {m!r}: {closest(m, map(str, frame.columns))!r})"
                        for m in missing if closest(m, map(str, frame.columns)))
        raise OptionError(f"{what} needs the columns {', '.join(map(repr, required))}"
                          f"{' and optionally ' + ', '.join(map(repr, optional)) if optional else ''}; "
                          f"missing {', '.join(map(repr, missing))}{hints}. Available columns: {available}.")
    for col in frame.columns:
        if col in known:
            continue
        hint = closest(str(col), [c for c in known if c not in frame.columns])
        if hint:
            raise OptionError(f"{what}: column {str(col)!r} is not a known column; did you mean {hint!r}? "
                              f"Known columns: {', '.join(map(repr, known))}.")
    return frame


def _choice(value, allowed, where: str, field: str) -> str:
    if _is_missing(value):
        raise OptionError(f"{where}: {field} is missing; choose one of {', '.join(map(repr, allowed))}.")
    if not isinstance(value, str):
        return check_choice(f"{where}: {field}", value, allowed)
    norm = re.sub(r"[\s\-]+", "_", value.strip().casefold())
    return check_choice(f"{where}: {field}", norm if norm in allowed else value.strip(), allowed)


def _html_table(title: str, header: list[str], rows: list[list[Any]], more: int) -> str:
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape('' if v is None else str(v))}</td>"
                                    for v in row) + "</tr>" for row in rows)
    tail = f"<p>… and {more:,} more</p>" if more > 0 else ""
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows else ""
    return f"<div><p><b>{html.escape(title)}</b></p>{table}{tail}</div>"


def _source_kind(source) -> str:
    if isinstance(source, pd.DataFrame):
        return "frame"
    if isinstance(source, Mapping):
        return "dict"
    if isinstance(source, (str, Path)):
        suffix = Path(source).suffix.lower()
        if suffix in (".csv", ".txt", ".tsv"):
            return "csv"
        if suffix in (".yaml", ".yml"):
            return "yaml"
        raise OptionError(f"cannot tell the format of {str(source)!r}: use a .csv, .txt, .tsv, .yaml "
                          "or .yml file, a dict or a pandas DataFrame.")
    raise OptionError(f"cannot extend with a {type(source).__name__}; pass a dict, a pandas DataFrame, "
                      "a .csv or .yaml path, or another taxonomy/vocabulary.")


# --- UnitTaxonomy -------------------------------------------------------------------------

@dataclass(frozen=True)
class TaxonomyEntry:
    unit: str  # as the user wrote it
    domain: str
    sector: str
    valid_from: Any = None  # pandas Timestamp (naive = local) or None
    valid_to: Any = None
    where: str = ""

    @property
    def has_period(self) -> bool:
        return self.valid_from is not None or self.valid_to is not None


_UNIT_ALIASES = {"enhed": "unit", "afdeling": "unit", "afsnit": "unit", "name": "unit", "navn": "unit",
                 "domaene": "domain", "sektor": "sector", "gyldig_fra": "valid_from",
                 "gyldig_til": "valid_to", "from": "valid_from", "to": "valid_to", "fra": "valid_from",
                 "til": "valid_to"}


_UNIT_COLUMNS = ("unit", "domain", "sector", "valid_from", "valid_to")


class UnitTaxonomy:
    """Maps unit names to a ``(domain, sector)`` pair, optionally per validity period.

    Build one with :meth:`default` (the built-in Danish rules), :meth:`from_dict`,
    :meth:`from_csv`, :meth:`from_yaml` or :meth:`from_frame` (explicit mappings
    only), and combine with :meth:`extend`. Explicit mappings always win over
    rules. Domains are :data:`pathways.schema.DOMAINS`, sectors
    :data:`pathways.schema.SECTORS`.

    A mapping may carry ``valid_from``/``valid_to``: it applies to events with
    ``valid_from <= timestamp < valid_to`` (an empty bound is open). Outside
    every period of a unit, its unperiodised mapping applies if there is one,
    else the rules, else ``unknown``. Periods of one unit may not overlap.
    Mapping keys match unit names case-insensitively, ignoring surrounding and
    repeated whitespace; rules also ignore æøå versus ae/oe/aa and punctuation.

    Examples
    --------
    >>> from pathways.taxonomy import UnitTaxonomy
    >>> tax = UnitTaxonomy.default().extend({"Klinik X": ("somatic", "region")})
    >>> tax
    UnitTaxonomy: 1 mapping + 54 Danish rules
    >>> tax.table_for(["Klinik X", "Psykiatrisk Akutmodtagelse", "Team Nord 2"])[
    ...     ["unit", "domain", "sector", "classified_by"]]
                             unit       domain   sector classified_by
    0                    Klinik X      somatic   region       mapping
    1  Psykiatrisk Akutmodtagelse  psychiatric   region          rule
    2                 Team Nord 2      unknown  unknown       unknown
    """

    __slots__ = ("_entries", "_rules")

    def __init__(self, entries: Iterable[TaxonomyEntry] = (), *, rules: Iterable[Rule] = ()):
        entries = _instances(entries, TaxonomyEntry, "UnitTaxonomy(entries=...)", "Build a taxonomy with "
                             "UnitTaxonomy.from_dict({unit: (domain, sector)}) or .from_csv(path).")
        self._rules = _instances(rules, Rule, "rules", "Give a list of pathways.taxonomy.Rule, e.g. UNIT_RULES.")
        grouped: dict[str, list[TaxonomyEntry]] = {}
        for e in entries:
            grouped.setdefault(_key(e.unit), []).append(e)
        for group in grouped.values():
            _check_periods(group, DEFAULT_TZ)
        self._entries = {k: tuple(sorted(_dedupe(v), key=_period_order)) for k, v in grouped.items()}

    # -- constructors --------------------------------------------------------------------
    @classmethod
    def default(cls) -> "UnitTaxonomy":
        """The built-in Danish default: the ordered rules of ``UNIT_RULES`` and no mappings.

        See :data:`pathways.taxonomy.UNIT_RULES` (or :attr:`rules_table`) for the
        list; a unit no rule places is ``unknown``.

        Examples
        --------
        >>> tax = UnitTaxonomy.default()
        >>> tax.classify("Børne- og Ungdomspsykiatrisk afdeling")
        UnitClass(domain='psychiatric', sector='region', classified_by='rule',
                  rule='psykiatri / psykiatrisk / psychiatry')
        >>> tax.classify("Privatpraktiserende psykiater")[:2]
        ('psychiatric', 'private')
        """
        return cls((), rules=UNIT_RULES)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> "UnitTaxonomy":
        """A taxonomy of explicit mappings from a dict, without rules.

        Each value is a ``(domain, sector)`` pair, a dict with ``domain``,
        ``sector`` and optional ``valid_from``/``valid_to``, or a list of such
        dicts (one per validity period).

        Examples
        --------
        >>> tax = UnitTaxonomy.from_dict({
        ...     "Smerteklinik": ("somatic", "region"),
        ...     "Center for Psykiatri Nord": [
        ...         {"domain": "psychiatric", "sector": "region", "valid_to": "2023-01-01"},
        ...         {"domain": "social", "sector": "municipality", "valid_from": "2023-01-01"}]})
        >>> tax
        UnitTaxonomy: 3 mappings (2 with validity periods), no rules
        >>> tax.classify("Center for Psykiatri Nord", at="2023-06-01").domain
        'social'
        """
        if not isinstance(mapping, Mapping):
            raise OptionError(f"UnitTaxonomy.from_dict needs a dict of unit -> (domain, sector), "
                              f"got a {type(mapping).__name__}.")
        return cls(_entries_from_mapping(mapping, "taxonomy"))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, what: str = "taxonomy table") -> "UnitTaxonomy":
        """A taxonomy of explicit mappings from a DataFrame with columns ``unit, domain, sector``
        and optionally ``valid_from, valid_to`` (one row per unit and period).

        Danish headers (``enhed, domæne, sektor, gyldig_fra, gyldig_til``) are
        accepted too.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"unit": ["Akutteam Nord"], "domain": ["municipal_care"],
        ...                    "sector": ["municipality"]})
        >>> UnitTaxonomy.from_frame(df).classify("akutteam nord")
        UnitClass(domain='municipal_care', sector='municipality', classified_by='mapping', rule=None)
        """
        if not isinstance(frame, pd.DataFrame):
            raise OptionError(f"UnitTaxonomy.from_frame needs a pandas DataFrame, got a {type(frame).__name__}.")
        frame = _normalise_columns(frame, _UNIT_ALIASES, ("unit", "domain", "sector"),
                                   ("valid_from", "valid_to"), what)
        entries = []
        for i, rec in enumerate(frame.to_dict("records")):
            where = f"{what} row {i + 1} (unit {rec.get('unit')!r})"
            entries.append(_make_entry(rec.get("unit"), rec, where))
        return cls(entries)

    @classmethod
    def from_csv(cls, path, *, sep: str | None = None, encoding: str | None = None) -> "UnitTaxonomy":
        """A taxonomy of explicit mappings from a CSV file (columns as in :meth:`from_frame`).

        The separator (``;``, ``,`` or tab) is read from the header unless
        ``sep`` is given; the encoding is utf-8 (with or without BOM), else
        Windows-1252/latin-1, unless ``encoding`` is given. Dates may be
        ``YYYY-MM-DD`` or ``dd-mm-yyyy``; naive dates are local time of the
        ``tz`` passed to :meth:`table_for`. A line whose domain and sector are both
        empty maps nothing (the unit goes to the rules, else ``unknown``), so a
        template (``pathways init-config``) can be filled in part; other columns
        (counts, notes) are left aside.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "units.csv"
        >>> _ = p.write_bytes("enhed;domæne;sektor\\nSmerteklinik Øst;somatic;region\\n".encode("latin-1"))
        >>> UnitTaxonomy.from_csv(p).classify("Smerteklinik Øst").classified_by
        'mapping'
        """
        frame = _read_table(path, sep=sep, encoding=encoding, what="taxonomy")
        entries = []
        name = Path(path).name
        frame = _normalise_columns(frame, _UNIT_ALIASES, ("unit", "domain", "sector"),
                                   ("valid_from", "valid_to"), f"taxonomy file {name!r}")
        frame = frame[[c for c in frame.columns if c in _UNIT_COLUMNS]]  # other columns (counts, notes): beside
        for i, rec in enumerate(frame.to_dict("records")):
            if all(_is_missing(rec.get(k)) for k in ("domain", "sector", "valid_from", "valid_to")):
                continue  # a blank line, or a unit left blank (as in an init-config template): not mapped
            where = f"taxonomy file {name!r} line {i + 2} (unit {rec.get('unit')!r})"
            entries.append(_make_entry(rec.get("unit"), rec, where))
        return cls(entries)

    @classmethod
    def from_yaml(cls, path) -> "UnitTaxonomy":
        """A taxonomy of explicit mappings from a YAML file.

        Either a mapping ``unit: [domain, sector]`` / ``unit: {domain: ..,
        sector: .., valid_from: .., valid_to: ..}`` / ``unit: [{...}, {...}]``, or
        a list of records with a ``unit`` key; either may sit under a top-level
        ``units:`` key.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "units.yaml"
        >>> _ = p.write_text("units:\\n  Lægehuset Torvet: [general_practice, general_practice]\\n",
        ...                  encoding="utf-8")
        >>> UnitTaxonomy.from_yaml(p).classify("Lægehuset Torvet").domain
        'general_practice'
        """
        data = _read_yaml(path)
        what = f"taxonomy file {Path(path).name!r}"
        if isinstance(data, Mapping) and set(data) == {"units"}:
            data = data["units"]
        if isinstance(data, list):
            entries = []
            for i, rec in enumerate(data):
                if not isinstance(rec, Mapping) or "unit" not in rec:
                    raise OptionError(f"{what}: item {i + 1} must be a mapping with a 'unit' key, got {rec!r}.")
                entries.append(_make_entry(rec["unit"], rec, f"{what} item {i + 1} (unit {rec['unit']!r})"))
            return cls(entries)
        if isinstance(data, Mapping):
            return cls(_entries_from_mapping(data, what))
        raise OptionError(f"{what} must hold a mapping of unit -> [domain, sector] or a list of records; "
                          f"found a {type(data).__name__}.")

    # -- combining -----------------------------------------------------------------------
    def extend(self, other) -> "UnitTaxonomy":
        """A new taxonomy: this one plus ``other``'s mappings (and rules).

        ``other`` is a :class:`UnitTaxonomy`, a dict (as :meth:`from_dict`), a
        DataFrame, or a ``.csv``/``.yaml`` path. For a unit mapped in both, all
        of ``other``'s entries replace this one's. Rules of both are kept
        (this one's first); explicit mappings win over rules either way. This
        is the one way to combine a user taxonomy with the built-in default.

        Examples
        --------
        >>> tax = UnitTaxonomy.default().extend({"Afsnit Q": ("psychiatric", "region")})
        >>> tax.classify("Afsnit Q").classified_by, tax.classify("Hjemmepleje").classified_by
        ('mapping', 'rule')
        """
        if not isinstance(other, UnitTaxonomy):
            kind = _source_kind(other)
            other = {"dict": UnitTaxonomy.from_dict, "frame": UnitTaxonomy.from_frame,
                     "csv": UnitTaxonomy.from_csv, "yaml": UnitTaxonomy.from_yaml}[kind](other)
        entries = {**self._entries, **other._entries}
        rules = self._rules + tuple(r for r in other._rules if r not in self._rules)
        return UnitTaxonomy([e for group in entries.values() for e in group], rules=rules)

    # -- lookup --------------------------------------------------------------------------
    @property
    def rules(self) -> tuple[Rule, ...]:
        """The ordered rules (first match wins); empty for a mapping-only taxonomy."""
        return self._rules

    @property
    def rules_table(self) -> pd.DataFrame:
        """The rules as a table: ``order, rule, domain, sector, pattern, unless, source``."""
        return pd.DataFrame({"order": range(1, len(self._rules) + 1),
                             "rule": [r.name for r in self._rules],
                             "domain": [r.result[0] for r in self._rules],
                             "sector": [r.result[1] for r in self._rules],
                             "pattern": [r.pattern for r in self._rules],
                             "unless": [r.unless for r in self._rules],
                             "source": [r.source for r in self._rules]})

    @property
    def mappings(self) -> pd.DataFrame:
        """The explicit mappings: ``unit, domain, sector, valid_from, valid_to`` (bounds as given)."""
        rows = [(e.unit, e.domain, e.sector, e.valid_from, e.valid_to)
                for group in self._entries.values() for e in group]
        return pd.DataFrame(rows, columns=["unit", "domain", "sector", "valid_from", "valid_to"])

    def _by_rule(self, unit) -> UnitClass:
        rule = _first_rule(self._rules, unit)
        if rule is None:
            return UnitClass("unknown", "unknown", "unknown", None)
        return UnitClass(rule.result[0], rule.result[1], "rule", rule.name)

    def classify(self, unit, at=None, *, tz: str = DEFAULT_TZ) -> UnitClass:
        """The class of one unit, at time ``at`` (None: ignoring validity periods).

        Same semantics as the join of :meth:`table_for`: a mapping whose period
        contains ``at``, else the unit's unperiodised mapping, else the first
        matching rule, else unknown. A naive ``at`` is local time in ``tz``.

        Examples
        --------
        >>> UnitTaxonomy.default().classify("DP Vest")
        UnitClass(domain='psychiatric', sector='region', classified_by='rule', rule='PAM / PVK / DP')
        """
        if _is_missing(unit):
            return UnitClass("unknown", "unknown", "unknown", None)
        entries = self._entries.get(_key(unit), ())
        when = None if at is None else _localize(_parse_when(at, "classify", "at"), check_zone(tz))
        if when is not None:
            for e in entries:
                if e.has_period:
                    lo, hi = _localize(e.valid_from, tz), _localize(e.valid_to, tz)
                    if (lo is None or lo <= when) and (hi is None or when < hi):
                        return UnitClass(e.domain, e.sector, "mapping", None)
        plain = [e for e in entries if not e.has_period]
        if plain:
            return UnitClass(plain[0].domain, plain[0].sector, "mapping", None)
        return self._by_rule(unit)

    def table_for(self, units: Iterable, *, tz: str = DEFAULT_TZ) -> pd.DataFrame:
        """The classes of the given distinct unit names, for the event-log builder to join on.

        Parameters
        ----------
        units : iterable of str
            Distinct unit names (duplicates and nulls are dropped; order kept).
        tz : str
            Time zone of the returned bounds; naive dates of the taxonomy are
            local time in this zone.

        Returns
        -------
        pandas.DataFrame
            Columns ``unit, domain, sector, valid_from, valid_to, classified_by, rule``
            (``classified_by`` is ``"mapping"``, ``"rule"`` or ``"unknown"``;
            ``rule`` is the name of the rule that placed the unit, else None;
            bounds are ``datetime64[us, tz]``). Every unit has exactly one
            **plain row** (both bounds null), which holds its unperiodised
            mapping, or else its rule or unknown class, and zero or more
            **period rows** (at least one bound set, ``classified_by ==
            "mapping"``) that never overlap. Per unit: period rows in time
            order, then the plain row.

        Notes
        -----
        Join events onto this table on ``unit``: an event takes the period row
        with ``valid_from <= timestamp < valid_to`` (a null bound is open) if
        there is one, else the plain row. In DuckDB::

            LEFT JOIN (SELECT * FROM t WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL) p
                   ON e.unit = p.unit AND (p.valid_from IS NULL OR p.valid_from <= e.timestamp)
                                      AND (p.valid_to IS NULL OR e.timestamp < p.valid_to)
            LEFT JOIN (SELECT * FROM t WHERE valid_from IS NULL AND valid_to IS NULL) f
                   ON e.unit = f.unit
            ... coalesce(p.domain, f.domain) AS domain, coalesce(p.sector, f.sector) AS sector

        Because period rows never overlap, no event is duplicated; an event
        without a timestamp gets the plain row.

        Examples
        --------
        >>> tax = UnitTaxonomy.default().extend({"Psykiatri Nord": [
        ...     {"domain": "psychiatric", "sector": "region", "valid_to": "2024-01-01"}]})
        >>> t = tax.table_for(["Psykiatri Nord", "Hjemmepleje"])
        >>> t[["unit", "domain", "sector", "classified_by"]]
                     unit          domain        sector classified_by
        0  Psykiatri Nord     psychiatric        region       mapping
        1  Psykiatri Nord     psychiatric        region          rule
        2     Hjemmepleje  municipal_care  municipality          rule
        >>> t.loc[0, "valid_to"]
        Timestamp('2024-01-01 00:00:00+0100', tz='Europe/Copenhagen')
        """
        tz = check_zone(tz)
        if isinstance(units, (str, bytes)):
            raise OptionError("table_for needs a list of unit names, not a single string.")
        rows = []
        seen = set()
        for unit in units:
            if _is_missing(unit) or unit in seen:
                continue
            seen.add(unit)
            entries = self._entries.get(_key(unit), ())
            periods = [e for e in entries if e.has_period]
            if periods:
                _check_periods(periods, tz)
            for e in periods:
                rows.append((unit, e.domain, e.sector, _localize(e.valid_from, tz),
                             _localize(e.valid_to, tz), "mapping", None))
            plain = [e for e in entries if not e.has_period]
            cls = (UnitClass(plain[0].domain, plain[0].sector, "mapping") if plain else self._by_rule(unit))
            rows.append((unit, cls.domain, cls.sector, None, None, cls.classified_by, cls.rule))
        dtype = pd.DatetimeTZDtype(unit="us", tz=tz)
        return pd.DataFrame({
            "unit": pd.Series([r[0] for r in rows], dtype=object),
            "domain": pd.Series([r[1] for r in rows], dtype="str"),
            "sector": pd.Series([r[2] for r in rows], dtype="str"),
            "valid_from": pd.Series([r[3] for r in rows], dtype=dtype),
            "valid_to": pd.Series([r[4] for r in rows], dtype=dtype),
            "classified_by": pd.Series([r[5] for r in rows], dtype="str"),
            "rule": pd.Series([r[6] for r in rows], dtype=object),
        })

    # -- display -------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(g) for g in self._entries.values())

    def __repr__(self) -> str:
        n = len(self)
        text = f"UnitTaxonomy: {n:,} mapping{'' if n == 1 else 's'}"
        n_periods = sum(e.has_period for g in self._entries.values() for e in g)
        if n_periods:
            text += f" ({n_periods:,} with validity periods)"
        if self._rules:
            text += f" + {len(self._rules)} Danish rules"
        else:
            text += ", no rules"
        return text

    def _repr_html_(self) -> str:
        rows = [[e.unit, e.domain, e.sector, e.valid_from, e.valid_to]
                for g in self._entries.values() for e in g]
        header = ["unit", "domain", "sector", "valid_from", "valid_to"]
        if not rows:  # nothing mapped: show the first rules instead
            rows = [[r.name, r.result[0], r.result[1]] for r in self._rules]
            header = ["rule", "domain", "sector"]
        shown = 10
        return _html_table(repr(self), header, rows[:shown], len(rows) - shown)


def _period_order(e: TaxonomyEntry):
    lo = _localize(e.valid_from, DEFAULT_TZ)
    return (e.has_period is False, lo is not None, lo.value if lo is not None else 0)


def _dedupe(entries: list[TaxonomyEntry]) -> list[TaxonomyEntry]:
    out = []
    for e in entries:
        if not any((o.domain, o.sector, o.valid_from, o.valid_to) == (e.domain, e.sector, e.valid_from, e.valid_to)
                   for o in out):
            out.append(e)
    return out


def _fmt_period(e: TaxonomyEntry) -> str:
    lo = "open" if e.valid_from is None else str(e.valid_from)
    hi = "open" if e.valid_to is None else str(e.valid_to)
    return f"[{lo}, {hi})"


def _check_periods(entries: list[TaxonomyEntry], tz: str) -> None:
    """Refuse two plain entries that disagree, empty periods and overlapping periods."""
    entries = _dedupe(entries)
    plain = [e for e in entries if not e.has_period]
    if len(plain) > 1:
        a, b = plain[:2]
        raise OptionError(f"unit {a.unit!r} is mapped twice without a validity period: "
                          f"({a.domain}, {a.sector}) at {a.where or 'one entry'} and ({b.domain}, {b.sector}) "
                          f"at {b.where or 'another'}. Keep one, or give each a valid_from/valid_to.")
    spans = []
    for e in entries:
        if not e.has_period:
            continue
        lo, hi = _localize(e.valid_from, tz), _localize(e.valid_to, tz)
        if lo is not None and hi is not None and not lo < hi:
            raise OptionError(f"{e.where or 'unit ' + repr(e.unit)}: valid_from ({e.valid_from}) must be "
                              f"before valid_to ({e.valid_to}).")
        spans.append((lo, hi, e))
    spans.sort(key=lambda s: (s[0] is not None, s[0].value if s[0] is not None else 0))
    for (lo1, hi1, e1), (lo2, hi2, e2) in zip(spans, spans[1:]):
        if hi1 is None or lo2 is None or lo2 < hi1:
            raise OptionError(f"unit {e1.unit!r}: validity periods {_fmt_period(e1)} and {_fmt_period(e2)} "
                              "overlap. Periods of one unit must not overlap (valid_to is exclusive: "
                              "end one period on the day the next begins).")


def _make_entry(unit, rec: Mapping, where: str) -> TaxonomyEntry:
    if _is_missing(unit):
        raise OptionError(f"{where}: the unit name is empty.")
    if not isinstance(rec, Mapping):
        raise OptionError(f"{where}: expected (domain, sector) or a dict with 'domain' and 'sector', got {rec!r}.")
    unknown = [k for k in rec if k not in ("unit", "domain", "sector", "valid_from", "valid_to")]
    if unknown:
        k = unknown[0]
        hint = closest(str(k), ["domain", "sector", "valid_from", "valid_to"])
        did = f" Did you mean {hint!r}?" if hint else ""
        raise OptionError(f"{where}: unknown key {k!r}; use 'domain', 'sector', 'valid_from', 'valid_to'.{did}")
    domain = _choice(rec.get("domain"), S.DOMAINS, where, "domain")
    sector = _choice(rec.get("sector"), S.SECTORS, where, "sector")
    lo = _parse_when(rec.get("valid_from"), where, "valid_from")
    hi = _parse_when(rec.get("valid_to"), where, "valid_to")
    return TaxonomyEntry(str(unit).strip(), domain, sector, lo, hi, where)


def _entries_from_mapping(mapping: Mapping, what: str) -> list[TaxonomyEntry]:
    entries = []
    for unit, value in mapping.items():
        where = f"{what} entry {unit!r}"
        if isinstance(value, Mapping):
            entries.append(_make_entry(unit, value, where))
        elif isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, str) for v in value):
            entries.append(_make_entry(unit, {"domain": value[0], "sector": value[1]}, where))
        elif isinstance(value, (tuple, list)) and value and all(isinstance(v, Mapping) for v in value):
            entries.extend(_make_entry(unit, v, f"{where} period {i + 1}") for i, v in enumerate(value))
        else:
            raise OptionError(f"{where}: expected (domain, sector), a dict with 'domain' and 'sector' "
                              "(and optionally 'valid_from', 'valid_to'), or a list of such dicts; "
                              f"got {value!r}.")
    return entries


# --- Vocabulary ---------------------------------------------------------------------------

_E = S.EVENT_TYPES
_EVENT_TYPES_ALLOWED = (*S.EVENT_TYPES, S.UNKNOWN_EVENT_TYPE)
_NOT_AFTER = r"^(?!.*\b(efter|after|post|foer|before|inden)\b)"

#: The ordered activity rules of ``Vocabulary.default()``; they apply only to names that are
#: not in the vocabulary table (exact, case-insensitive). First match wins. Patterns work on
#: ``_fold(name)``. A rule whose result is ``("other",)`` marks names that are deliberately no
#: standard event (cancellations, no-shows), so they are not reported as unknown.
ACTIVITY_RULES: tuple[Rule, ...] = (
    Rule("aflyst / annulleret / udeblevet",
         r"\b(annul\w*|aflys\w*|aflyst\w*|cancel\w*|udebl\w*|fejlregistr\w*|revise\w*)\b|no show"
         r"|did not attend", (S.UNKNOWN_EVENT_TYPE,)),
    Rule("død", r"\bdoed(en)?\b|\bdoedsfald|\bdied\b|\bdeath\b|\bdeceased\b|\bdead\b|\bmors\b", ("death",)),
    # a leave of absence during an admission (before "retur", which leaves "retur fra orlov" to these)
    Rule("orlov start", r"^(?=.*(orlov|\bleave\b))(?=.*(\bstart|begynd|paabegynd|\bbegin|\bbegan))", ("leave_start",)),
    Rule("orlov slut", r"^(?=.*(orlov|\bleave\b))(?=.*(slut|afslut|\bend\b|\bended\b|ophoer|retur|tilbage))",
         ("leave_end",)),
    Rule("afslag / afvist", r"afvis|afvist|afslag|tilbagevis|\breject|\bdeclin|\brefus", ("referral_rejected",)),
    Rule("retur", r"\bretur(neret|nering|sendt|sendelse)?\b|tilbagesend|(referral|henvisning)\w* (\w+ ){0,2}"
         r"(returned|sent back)|returned to (the )?(sender|referrer|gp)", ("referral_returned",),
         unless=r"orlov|\bleave\b"),
    Rule("henvisning modtaget",
         # both words, in either order; anchored, so a long name is scanned once, not once per position
         r"^(?=.*(henvis|referral))(?=.*(modtag|received|indgaa|indkom))",
         ("referral_received",)),
    Rule("henvisning til / sendt (navnet begynder med henvisning)",
         r"^(ny |gen|re ?)?(henvis\w*|henvist|referral|referred)"
         r"(\s+(til|sendt|afsendt|fra|om|vedr|to|sent|for|from)\b|$)", ("referral",)),
    Rule("epikrise / udskrivningsbrev", r"epikrise|udskrivningsbrev|udskrivningsrapport"
         r"|discharge (letter|summary|report)", ("discharge_letter",)),
    Rule("varsling", r"varsl|varsel|discharge notice|notice of discharge|advance notice", ("discharge_notice",)),
    Rule("færdigmeldt / færdigbehandlet / udskrivningsklar",
         r"faerdigmeld|faerdigbehandl|udskrivningsklar|ready for discharge|fit for discharge"
         r"|medically (fit|ready)",
         ("ready_for_discharge",)),
    Rule("plejeforløbsplan / genoptræningsplan",
         r"plejeforloebsplan|genoptraeningsplan|plejeplan|\bgop\b|care plan|rehab\w* plan", ("care_plan",)),
    Rule("kommunal visitation / bevilling",
         r"kommunal\w* visitation|(visitation|visiteret) til (hjemme|pleje|genoptraen|midlertid|korttid"
         r"|aflastning|bolig|praktisk|personlig)|bevilling|funktionsevnevurdering|funktionsvurdering|\bvum\b"
         r"|needs assessment|municipal assessment", ("municipal_assessment",)),
    Rule("første kontakt / førstegangssamtale",
         r"foerste ?(gangs)? ?(samtale|kontakt|besoeg|konsultation|ambulant)|foerstegangs"
         r"|first (contact|visit|consultation|appointment|session)|\bintake\b|forsamtale", ("first_contact",)),
    Rule("udskrivning (indeholder udskriv)",
         _NOT_AFTER + r"(?!.*(recept|medicin|prescri))"
         r".*(udskriv|udskrev|discharg|hjemsend|(indlaeggelse|indlagt|admission) (afsluttet|slut|ophoert|ended))",
         ("discharge",)),
    Rule("overflytning", r"overflyt|flyttet til (afsnit|afdeling)|moved to (another )?(ward|unit|department)"
         r"|\btransfer(red|s)? (to|from|between) (\w+ ){0,2}(ward|unit|department|hospital|icu|afsnit|afdeling)"
         r"|\b(ward|unit|department|inter ?hospital|interhospital) transfer\b", ("transfer",)),
    Rule("midlertidigt ophold / akutplads",
         r"midlertidig\w* (ophold|plads|bolig)|korttidsophold|korttidsplads|aflastning|akut ?plads|akutophold"
         r"|temporary stay|short term stay|respite|intermediate care", ("temporary_stay",)),
    Rule("indlæggelse / akut indlæggelse", _NOT_AFTER + r".*(indlaeg|indlagt|\badmit|\badmission|tvangsindl"
         r"|hospitali[sz])", ("admission",)),
    Rule("opstart hjemmepleje",
         r"(opstart|start|begynd|paabegynd|oprett|igangsat|igangsaet)\w*\s(\w+\s){0,3}(hjemmepleje|hjemmesygepleje"
         r"|hjemmehjaelp|personlig pleje|praktisk hjaelp|home ?care|home nursing)"
         r"|(hjemmepleje|hjemmesygepleje|hjemmehjaelp|home ?care|home nursing)\w*\s(\w+\s){0,3}"
         r"(opstart|start|begynd|paabegynd|igangsat)"
         r"|indflyt\w*|\bmove[sd]? in(to)?\b", ("homecare_start",)),  # moving into a nursing home or supported housing
    Rule("genoptræning slut",
         r"(genoptraen|rehab)\w*\s(\w+\s){0,3}(slut|afslut|ophoer|end\b|ended|complet|finish)"
         r"|(afslut\w*|end|ended|completed)\s(\w+\s){0,3}(genoptraen|rehab)", ("rehab_end",)),
    Rule("genoptræning start",
         r"(genoptraen|rehab)\w*\s(\w+\s){0,3}(start|opstart|begynd|paabegynd|igangsat)"
         r"|(opstart|start|begynd|paabegynd|igangsat)\w*\s(\w+\s){0,3}(genoptraen|rehab)", ("rehab_start",)),
    Rule("udredning slut",
         r"udredning\w*\s(\w+\s){0,3}(slut|afslut|faerdig|complet)|(afslut|faerdig)\w* (af )?udredning"
         r"|assessment\w*\s(\w+\s){0,3}(end\b|ended|complet|finish)", ("assessment_end",)),
    Rule("udredning", r"udredning|udredes|\bassessment\b", ("assessment_start",)),
    Rule("konference", r"konference|conference|\bmdt\b|multidisciplin|tumou?r board", ("diagnosis_conference",)),
    Rule("behandling start",
         r"behandling\w*\s(\w+\s){0,3}(start|opstart|begynd|paabegynd|igangsat)|behandlingsstart"
         r"|(opstart|start|begynd|paabegynd|igangsat)\w*\s(\w+\s){0,3}behandling"
         r"|treatment\s(\w+\s){0,3}(start|begun|began|initiat)|(start|initiat|begin)\w*\s(\w+\s){0,3}treatment",
         ("treatment_start",)),
    Rule("afslutning", r"afslut|forloeb (slut|ophoert)|\b(case|episode|course|pathway|referral|treatment)"
         r" (\w+ )?(closed|closure|completed)\b|\bclosure of (the )?(case|episode|course|pathway)",
         ("closure",)),
    Rule("akut kontakt / vagtlæge / 1813 / 112",
         r"\b112\b|\b1813\b|vagtlaege|laegevagt|akut (kontakt|henvendelse|opkald|konsultation|besoeg)"
         r"|akuttelefon|\bemergency (contact|call|visit)|out of hours|skadestue|akutmodtag", ("emergency_contact",)),
    Rule("egen læge / lægekonsultation",
         r"egen laege|almen praksis|laegekonsultation|laegebesoeg|praktiserende laege|konsultation hos laege"
         r"|\bgp\b|general practi|family doctor", ("gp_contact",)),
    Rule("ambulant / kontrol",
         r"ambulant|\bkontrol|outpatient|follow up (visit|appointment|consultation)|telefonkonsultation"
         r"|videokonsultation|opfoelgende (besoeg|samtale|konsultation)", ("outpatient_visit",)),
    Rule("visitation / triage", r"visitation|visiteret|visiteres|\btriage", ("visitation",)),
    Rule("henvisning (indeholder henvis)", r"henvis|referral|referred", ("referral",)),
)


def _builtin_names() -> dict[str, tuple[str, str]]:
    """schema.EVENT_TYPES as key -> (name, event type); a name listed under two types is an error."""
    out: dict[str, tuple[str, str]] = {}
    for event_type, (danish, english) in S.EVENT_TYPES.items():
        for name in (*danish, *english):
            k = _key(name)
            if k in out and out[k][1] != event_type:
                raise ValueError(f"schema.EVENT_TYPES lists {name!r} under both {out[k][1]!r} and {event_type!r}")
            out.setdefault(k, (name, event_type))
    return out


_VOCAB_ALIASES = {"aktivitet": "activity", "haendelse": "activity", "name": "activity", "navn": "activity",
                  "type": "event_type", "haendelsestype": "event_type", "eventtype": "event_type"}


class Vocabulary:
    """Maps activity names to the standard event types of :data:`pathways.schema.EVENT_TYPES`.

    An activity is looked up, case-insensitively on the trimmed name, in the
    user's mappings, then in the built-in names (the Danish and English names
    of ``schema.EVENT_TYPES``), both ``classified_by == "mapping"``; then the
    ordered rules (``"rule"``); else it is ``"other"`` with ``classified_by ==
    "unknown"``. Build one with :meth:`default`, :meth:`from_dict`,
    :meth:`from_csv`, :meth:`from_yaml` or :meth:`from_frame`, and combine with
    :meth:`extend`.

    Examples
    --------
    >>> from pathways.taxonomy import Vocabulary
    >>> voc = Vocabulary.default().extend({"Min aktivitet": "referral"})
    >>> voc.table_for(["Min aktivitet", "Akut indlæggelse", "Henvisning til DP", "Kaffe"])[
    ...     ["activity", "event_type", "classified_by"]]
                activity event_type classified_by
    0      Min aktivitet   referral       mapping
    1   Akut indlæggelse  admission       mapping
    2  Henvisning til DP   referral          rule
    3              Kaffe      other       unknown
    """

    __slots__ = ("_user", "_builtin", "_rules")

    def __init__(self, mappings: Mapping[str, str] | None = None, *, builtin: bool = False,
                 rules: Iterable[Rule] = ()):
        if mappings is not None and not isinstance(mappings, Mapping):
            raise OptionError(f"Vocabulary(mappings=...) needs a dict of activity -> event type, got a "
                              f"{type(mappings).__name__}. E.g. Vocabulary({{'Samtale i DP': 'outpatient_visit'}}).")
        if not isinstance(builtin, bool):
            raise OptionError(f"builtin={builtin!r} must be True or False.")
        self._user: dict[str, tuple[str, str]] = {}
        for name, event_type in _vocab_entries((mappings or {}).items(), "vocabulary entry").items():
            self._user[_key(name)] = (name, event_type)
        self._builtin = _builtin_names() if builtin else {}
        self._rules = _instances(rules, Rule, "rules", "Give a list of pathways.taxonomy.Rule, e.g. ACTIVITY_RULES.")

    # -- constructors --------------------------------------------------------------------
    @classmethod
    def default(cls) -> "Vocabulary":
        """The built-in vocabulary: every name of ``schema.EVENT_TYPES`` plus ``ACTIVITY_RULES``.

        Examples
        --------
        >>> Vocabulary.default().classify("Udskrevet til eget hjem")
        ActivityClass(event_type='discharge', classified_by='rule', rule='udskrivning (indeholder udskriv)')
        """
        return cls(builtin=True, rules=ACTIVITY_RULES)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str]) -> "Vocabulary":
        """A vocabulary of explicit mappings ``activity -> event type``, without built-ins or rules.

        Examples
        --------
        >>> Vocabulary.from_dict({"Opringning til 1813": "emergency_contact"})
        Vocabulary: 1 mapping, no rules
        """
        if not isinstance(mapping, Mapping):
            raise OptionError(f"Vocabulary.from_dict needs a dict of activity -> event type, "
                              f"got a {type(mapping).__name__}.")
        return cls(_vocab_entries(mapping.items(), "vocabulary entry"))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, what: str = "vocabulary table") -> "Vocabulary":
        """A vocabulary of explicit mappings from a DataFrame with columns ``activity, event_type``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"activity": ["Orlov slut"], "event_type": ["other"]})
        >>> Vocabulary.from_frame(df).classify("orlov slut")
        ActivityClass(event_type='other', classified_by='mapping', rule=None)
        """
        if not isinstance(frame, pd.DataFrame):
            raise OptionError(f"Vocabulary.from_frame needs a pandas DataFrame, got a {type(frame).__name__}.")
        frame = _normalise_columns(frame, _VOCAB_ALIASES, ("activity", "event_type"), (), what)
        return cls(_vocab_entries(zip(frame["activity"], frame["event_type"]), f"{what} row", numbered=True))

    @classmethod
    def from_csv(cls, path, *, sep: str | None = None, encoding: str | None = None) -> "Vocabulary":
        """A vocabulary of explicit mappings from a CSV with columns ``activity, event_type``.

        Separator and encoding are detected as in :meth:`UnitTaxonomy.from_csv`. A line
        with an empty event type maps nothing (a template line not filled in yet).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "acts.csv"
        >>> _ = p.write_bytes("aktivitet;type\\nSamtale i DP;outpatient_visit\\n".encode("latin-1"))
        >>> Vocabulary.from_csv(p).classify("Samtale i DP").event_type
        'outpatient_visit'
        """
        frame = _read_table(path, sep=sep, encoding=encoding, what="vocabulary")
        what = f"vocabulary file {Path(path).name!r}"
        frame = _normalise_columns(frame, _VOCAB_ALIASES, ("activity", "event_type"), (), what)
        blank = frame["event_type"].map(_is_missing).astype(bool)  # bool even when empty (a header-only file)
        frame = frame.loc[~blank]  # an activity left blank (a template line): not mapped
        return cls(_vocab_entries(zip(frame["activity"], frame["event_type"]), f"{what} line",
                                  numbered=True, offset=2))

    @classmethod
    def from_yaml(cls, path) -> "Vocabulary":
        """A vocabulary of explicit mappings from a YAML mapping ``activity: event_type``
        (optionally under a top-level ``activities:`` key).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "acts.yaml"
        >>> _ = p.write_text("Indflytning plejebolig: homecare_start\\n", encoding="utf-8")
        >>> Vocabulary.from_yaml(p).classify("Indflytning plejebolig").event_type
        'homecare_start'
        """
        data = _read_yaml(path)
        if isinstance(data, Mapping) and set(data) == {"activities"}:
            data = data["activities"]
        if not isinstance(data, Mapping):
            raise OptionError(f"vocabulary file {Path(path).name!r} must hold a mapping activity -> event type; "
                              f"found a {type(data).__name__}.")
        return cls(_vocab_entries(data.items(), f"vocabulary file {Path(path).name!r} entry"))

    # -- combining -----------------------------------------------------------------------
    def extend(self, other) -> "Vocabulary":
        """A new vocabulary: this one plus ``other``'s mappings (which replace names mapped in both).

        ``other`` is a :class:`Vocabulary`, a dict, a DataFrame or a
        ``.csv``/``.yaml`` path. Built-in names and rules of both are kept.
        Explicit mappings win over built-in names, and both over rules.

        Examples
        --------
        >>> voc = Vocabulary.default().extend({"Kontrol": "first_contact"})
        >>> voc.classify("kontrol").event_type
        'first_contact'
        """
        if not isinstance(other, Vocabulary):
            kind = _source_kind(other)
            other = {"dict": Vocabulary.from_dict, "frame": Vocabulary.from_frame,
                     "csv": Vocabulary.from_csv, "yaml": Vocabulary.from_yaml}[kind](other)
        out = Vocabulary()
        out._user = {**self._user, **other._user}
        out._builtin = {**other._builtin, **self._builtin}
        out._rules = self._rules + tuple(r for r in other._rules if r not in self._rules)
        return out

    # -- lookup --------------------------------------------------------------------------
    @property
    def rules(self) -> tuple[Rule, ...]:
        """The ordered rules (first match wins) for names not in the vocabulary table."""
        return self._rules

    @property
    def mappings(self) -> pd.DataFrame:
        """Every exact name: ``activity, event_type, source`` (``"user"`` or ``"built-in"``)."""
        rows = [(n, t, "user") for n, t in self._user.values()]
        rows += [(n, t, "built-in") for k, (n, t) in self._builtin.items() if k not in self._user]
        return pd.DataFrame(rows, columns=["activity", "event_type", "source"])

    def classify(self, activity) -> ActivityClass:
        """The event type of one activity name.

        Examples
        --------
        >>> Vocabulary.default().classify("  HENVISNING MODTAGET ")
        ActivityClass(event_type='referral_received', classified_by='mapping', rule=None)
        """
        if _is_missing(activity):
            return ActivityClass(S.UNKNOWN_EVENT_TYPE, "unknown", None)
        k = _key(activity)
        hit = self._user.get(k) or self._builtin.get(k)
        if hit is not None:
            return ActivityClass(hit[1], "mapping", None)
        rule = _first_rule(self._rules, activity)
        if rule is None:
            return ActivityClass(S.UNKNOWN_EVENT_TYPE, "unknown", None)
        return ActivityClass(rule.result[0], "rule", rule.name)

    def table_for(self, activities: Iterable) -> pd.DataFrame:
        """The event types of the given distinct activity names.

        Returns a DataFrame ``activity, event_type, classified_by, rule`` with one
        row per distinct non-null name, in input order; ``classified_by`` is
        ``"mapping"``, ``"rule"`` or ``"unknown"`` (event type ``"other"``), and
        ``rule`` the name of the rule that placed the name (else None).

        Examples
        --------
        >>> Vocabulary.default().table_for(["Udskrivning", "Genindlæggelse"])
                 activity event_type classified_by                            rule
        0     Udskrivning  discharge       mapping                            None
        1  Genindlæggelse  admission          rule  indlæggelse / akut indlæggelse
        """
        if isinstance(activities, (str, bytes)):
            raise OptionError("table_for needs a list of activity names, not a single string.")
        rows, seen = [], set()
        for activity in activities:
            if _is_missing(activity) or activity in seen:
                continue
            seen.add(activity)
            c = self.classify(activity)
            rows.append((activity, c.event_type, c.classified_by, c.rule))
        return pd.DataFrame({"activity": pd.Series([r[0] for r in rows], dtype=object),
                             "event_type": pd.Series([r[1] for r in rows], dtype="str"),
                             "classified_by": pd.Series([r[2] for r in rows], dtype="str"),
                             "rule": pd.Series([r[3] for r in rows], dtype=object)})

    # -- display -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._user)

    def __repr__(self) -> str:
        n = len(self._user)
        text = f"Vocabulary: {n:,} mapping{'' if n == 1 else 's'}"
        if self._builtin:
            text += f" + {len(self._builtin):,} built-in names"
        text += f" + {len(self._rules)} rules" if self._rules else ", no rules"
        return text

    def _repr_html_(self) -> str:
        table = self.mappings
        rows = table.values.tolist()
        shown = 10
        return _html_table(repr(self), list(table.columns), rows[:shown], len(rows) - shown)


def _instances(items, kind: type, argument: str, fix: str) -> tuple:
    """``items`` as a tuple, when it is a list or tuple of ``kind``; OptionError with ``fix`` otherwise."""
    if isinstance(items, (list, tuple)) and all(isinstance(i, kind) for i in items):
        return tuple(items)
    odd = next((i for i in items if not isinstance(i, kind)), None) if isinstance(items, (list, tuple)) else items
    raise OptionError(f"{argument} must be a list of {kind.__name__}, found {type(odd).__name__} {odd!r}. {fix}")


def _vocab_entries(items, where: str, *, numbered: bool = False, offset: int = 1) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, (name, event_type) in enumerate(items):
        here = f"{where} {i + offset} (activity {name!r})" if numbered else f"{where} {name!r}"
        if _is_missing(name):
            raise OptionError(f"{here}: the activity name is empty.")
        event_type = _choice(event_type, _EVENT_TYPES_ALLOWED, here, "event_type")
        clash = next((n for n in out if _key(n) == _key(name) and out[n] != event_type), None)
        if clash is not None:
            raise OptionError(f"{here}: {name!r} is also mapped to {out[clash]!r} (as {clash!r}); "
                              "names match case-insensitively, so keep one.")
        out[str(name).strip()] = event_type
    return out
