"""Every word drawn into a diagram, in English and Danish, and numbers written the way each language writes them.

One table, :data:`WORDS`, holds each phrase in both languages; :func:`say`
fills it in. Numbers in a phrase follow the language (Danish ``12.345`` and
``2,5``), and a Danish phrase chooses singular or plural with a format spec
``{n:pil|pile}``: the singular only when ``n`` is shown as exactly 1, so a count
printed as ``"<5"`` always reads as plural and never gives a small cell away.
The English phrases keep the wording the diagrams have always had.
"""

from __future__ import annotations

import numbers

from ..errors import check_choice

LANGUAGES = ("en", "da")

#: key -> {"en": ..., "da": ...}; placeholders are filled by :func:`say`.
WORDS: dict[str, dict[str, str]] = {
    # --- maps: nodes, titles, what the numbers are
    "start": {"en": "start", "da": "start"},
    "end": {"en": "end", "da": "slut"},
    "n_cases": {"en": "{n} cases", "da": "{n} {n:patient|patienter}"},
    "n_events": {"en": "{n} events", "da": "{n} {n:hændelse|hændelser}"},
    "title_process_map": {"en": "Process map", "da": "Proceskort"},
    "title_process_map_units": {"en": "Process map (units)", "da": "Proceskort (enheder)"},
    "title_unit_map": {"en": "Handovers between units", "da": "Overgange mellem enheder"},
    "median": {"en": "median", "da": "median"},
    "mean": {"en": "mean", "da": "gennemsnit"},
    "p90": {"en": "p90", "da": "90-percentil"},
    "days": {"en": "days", "da": "dage"},
    "hours": {"en": "hours", "da": "timer"},
    "minutes": {"en": "minutes", "da": "minutter"},
    "pm_what_performance": {"en": "edges: {statistic} time between steps ({units}); nodes: cases",
                            "da": "pile: tid mellem trin, {statistic} ({units}); knuder: patienter"},
    "pm_what_events": {"en": "edges: transitions; nodes: events", "da": "pile: overgange; knuder: hændelser"},
    "pm_what_cases": {"en": "edges and nodes: cases", "da": "pile og knuder: patienter"},
    "um_what_performance": {"en": "edges: median gap between units ({units}) · cases",
                            "da": "pile: median pause mellem enheder ({units}) · patienter"},
    "um_what_events": {"en": "edges: handovers · median gap between units",
                       "da": "pile: overgange · median pause mellem enheder"},
    "um_what_cases": {"en": "edges: cases · median gap between units; nodes: cases",
                      "da": "pile: patienter · median pause mellem enheder; knuder: patienter"},
    "key_domain": {"en": "Fill colour (domain):", "da": "Fyldfarve (domæne):"},
    "lane_part": {"en": "this part: the {n} units of {lane} on the whole map; handovers from and to the other {others} "
                        "in the table at the right, one row each",
                  "da": "denne del: kortets {n:,} {n:enhed|enheder} i {lane}; overgange fra og til de andre {others} "
                        "i tabellen til højre, én række hver"},
    "sectors": {"en": "sectors", "da": "sektorer"},
    "domains": {"en": "domains", "da": "domæner"},
    "from_other_sector": {"en": "From other sectors", "da": "Fra andre sektorer"},
    "to_other_sector": {"en": "To other sectors", "da": "Til andre sektorer"},
    "from_other_domain": {"en": "From other domains", "da": "Fra andre domæner"},
    "to_other_domain": {"en": "To other domains", "da": "Til andre domæner"},
    "alone_hidden": {"en": "{n} units with no handover to another unit not drawn",
                     "da": "{n:,} {n:enhed|enheder} uden overgang til en anden enhed ikke tegnet"},
    # --- maps: the caption of what is shown and left out
    "activities": {"en": "activities", "da": "{n:aktivitet|aktiviteter}"},
    "units": {"en": "units", "da": "{n:enhed|enheder}"},
    "transitions": {"en": "transitions", "da": "{n:overgang|overgange}"},
    "handovers": {"en": "handovers", "da": "{n:overgang|overgange}"},
    "all_transitions": {"en": "transitions", "da": "overgangene"},
    "all_handovers": {"en": "handovers", "da": "overgangene"},
    "showing": {"en": "showing {shown} of {total} {noun}, {share} of {flow}",
                "da": "viser {shown:,} af {total:,} {noun}, {share} af {flow}"},
    "pruned": {"en": "{n} rarer edges not drawn, so that the map stays readable",
               "da": "{n:,} sjældnere {n:pil|pile} ikke tegnet, så kortet kan læses"},
    "small_dropped": {"en": "{n} edges with fewer than {min_count} cases dropped ({flow})",
                      "da": "{n:,} {n:pil|pile} med færre end {min_count} patienter udeladt ({flow})"},
    "counts_under": {"en": "counts under {min_count} show as <{min_count}",
                     "da": "antal under {min_count} vises som <{min_count}"},
    # --- maps: highlight legend
    "loops": {"en": "on a circular route (loop)", "da": "cirkulære henvisninger: på en cirkulær rute"},
    "psychiatric_somatic": {"en": "crosses the psychiatric/somatic line",
                            "da": "psykiatri–somatik: krydser grænsen mellem psykiatri og somatik"},
    "long_waits": {"en": "median wait over {threshold}", "da": "lange ventetider: median ventetid over {threshold}"},
    "edges_shown": {"en": "({n} edges shown)", "da": "({n:,} {n:pil|pile} vist)"},
    "edges_strongest": {"en": "(only the {n} busiest of {total} edges shown)",
                        "da": "(kun de {n} travleste af {total:,} pile vist)"},
    "hours_short": {"en": "h", "da": "t"},
    "days_short": {"en": "d", "da": "d"},
    "minutes_short": {"en": "min", "da": "min"},
    # --- timelines
    "title_case": {"en": "Patient pathway", "da": "Patientforløb"},
    "title_cohort": {"en": "Pathways of a cohort", "da": "Forløb i en kohorte"},
    "day": {"en": "day {n:.0f}", "da": "dag {n:.0f}"},
    "day_span": {"en": "day {a:.0f}–{b:.0f}", "da": "dag {a:.0f}–{b:.0f}"},
    "case_caption": {"en": "{n} stays in {units} units over {span} days; time is days since the first contact; "
                           "fill colour: domain; no case id or dates shown",
                     "da": "{n:,} ophold på {units} {units:enhed|enheder} over {span} {span:dag|dage}; tiden er dage "
                           "siden første kontakt; fyldfarve: domæne; intet patient-id og ingen datoer vist"},
    "case_info": {"en": "{n} stays", "da": "{n:,} ophold"},
    "cohort_rows": {"en": "{n} cases,\nfirst contact\nearliest at top",
                    "da": "{n:,} {n:patient|patienter},\nførste kontakt\ntidligst øverst"},
    "cohort_all": {"en": "all", "da": "alle"},
    "cohort_spread": {"en": "evenly spread over start dates", "da": "jævnt fordelt over startdatoer"},
    "axis_relative": {"en": "days since each case's first contact", "da": "dage siden hver patients første kontakt"},
    "axis_absolute": {"en": "calendar time", "da": "kalendertid"},
    "showing_cases": {"en": "showing {shown:,} of {total:,} cases",
                      "da": "viser {shown:,} af {total:,} {total:patient|patienter}"},
    "cohort_caption": {"en": "{showing} ({how}); one row per case, no ids; dots: arrival in a unit; x: {axis}",
                       "da": "{showing} ({how}); én række pr. patient, ingen id'er; prikker: ankomst til en enhed; "
                             "x: {axis}"},
}

#: Swimlane names per sector and per domain, in lane order (top to bottom).
SECTORS: dict[str, dict[str, str]] = {
    "en": {"region": "Region (hospitals, psychiatry)", "municipality": "Municipality",
           "general_practice": "General practice", "private": "Private practice", "other": "Other",
           "unknown": "Unknown sector"},
    "da": {"region": "Region (hospitaler, psykiatri)", "municipality": "Kommune", "general_practice": "Almen praksis",
           "private": "Privat praksis", "other": "Andet", "unknown": "Ukendt sektor"},
}
DOMAINS: dict[str, dict[str, str]] = {
    "en": {"psychiatric": "Psychiatric", "somatic": "Somatic", "municipal_care": "Municipal care", "social": "Social",
           "substance": "Substance use", "general_practice": "General practice", "other": "Other",
           "unknown": "Unknown domain"},
    "da": {"psychiatric": "Psykiatri", "somatic": "Somatik", "municipal_care": "Kommunal pleje",
           "social": "Socialområdet", "substance": "Rusmiddelområdet", "general_practice": "Almen praksis",
           "other": "Andet", "unknown": "Ukendt domæne"},
}


def check_language(language) -> str:
    """``language`` if it is ``"en"`` or ``"da"``, else OptionError."""
    return check_choice("language", language, LANGUAGES)


def number(value, language: str, spec: str = "") -> str:
    """``value`` formatted with ``spec``, with Danish marks in Danish (thousands ``.``, decimals ``,``).

    Examples
    --------
    >>> number(12345, "en", ","), number(12345, "da", ","), number(2.5, "da", ".1f")
    ('12,345', '12.345', '2,5')
    """
    text = format(value, spec)
    if language == "da":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


class _Value:
    """A value in a phrase: numbers in the language's marks, text as it is; ``{x:one|many}`` picks a form.

    The singular only when the value shows as 1, so ``"<5"`` always takes the plural.
    """

    def __init__(self, value, language: str):
        self.value, self.language = value, language

    def __format__(self, spec: str) -> str:
        if "|" in spec:
            one, many = spec.split("|", 1)
            return one if str(self.value) in ("1", "1.0") else many
        if isinstance(self.value, numbers.Number) and not isinstance(self.value, bool):
            return number(self.value, self.language, spec)
        return str(self.value)  # text (e.g. a count already shown as "<5") as it is


def say(key: str, language: str, **values) -> str:
    """The phrase ``key`` in ``language`` (plain text, not yet escaped) with ``values`` filled in.

    Examples
    --------
    >>> say("counts_under", "da", min_count=5)
    'antal under 5 vises som <5'
    >>> say("edges_shown", "da", n=1), say("edges_shown", "da", n="<5")
    ('(1 pil vist)', '(<5 pile vist)')
    >>> say("showing_cases", "da", shown=100, total=1200), say("showing_cases", "en", shown=100, total=1200)
    ('viser 100 af 1.200 patienter', 'showing 100 of 1,200 cases')
    """
    return WORDS[key][language].format(**{k: _Value(v, language) for k, v in values.items()})


__all__ = ["LANGUAGES", "WORDS", "SECTORS", "DOMAINS", "check_language", "number", "say"]
