"""The one translation table: every word a report, a diagram, a chart or a notebook shows, in Danish and English.

:data:`WORDS` holds each phrase in both languages and :func:`say` fills it in.
Numbers in a phrase follow the language (Danish ``12.345`` and ``2,5``), and a
Danish phrase chooses singular or plural with a format spec ``{n:pil|pile}``:
the singular only when ``n`` is shown as exactly 1, so a count printed as
``"<5"`` always reads as plural and never gives a small cell away. The names of
domains, sectors, the default waiting-time rules and the quality checks live
here too, next to the phrases. Numbers themselves are written by
:class:`pathways.publish.numbers.Formatter`.
"""

from __future__ import annotations

import numbers

from ..errors import check_choice
from .numbers import number

#: The languages every text is written in; the report's default first.
LANGUAGES = ("da", "en")

#: key -> {"en": ..., "da": ...}; placeholders are filled by :func:`say`. The report's sections add their own
#: phrases to it (``WORDS.update``) where they are used.
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
    # --- the report
    "default_title": {"da": "Forløbsrapport", "en": "Care-pathway report"},
    "subtitle": {"da": "{cases} patienter, {period}. Opgjort pr. {as_of}.",
                 "en": "{cases} patients, {period}. Evaluated as of {as_of}."},
    "contents": {"da": "Indhold", "en": "Contents"},
    "main_findings": {"da": "Hovedfund", "en": "Main findings"},
    "no_main_findings": {"da": "Ingen af analyserne fandt noget at fremhæve i dette udtræk.",
                         "en": "None of the analyses found anything to highlight in this extract."},
    "see_section": {"da": "se afsnittet", "en": "see the section"},
    "period": {"da": "{first} til {last}", "en": "{first} to {last}"},

    # --- section titles
    "sec_extract": {"da": "Udtrækket", "en": "The extract"},
    "sec_unit_map": {"da": "Enhedskort på tværs af sektorer", "en": "Unit map across sectors"},
    "sec_process_map": {"da": "Proceskort", "en": "Process map"},
    "sec_loops": {"da": "Cirkulære henvisninger", "en": "Circular referrals"},
    "sec_handovers": {"da": "Overgange mellem psykiatri og somatik", "en": "Psychiatric–somatic handovers"},
    "sec_waits": {"da": "Ventetider og garantier", "en": "Waits against the guarantees"},
    "sec_readmissions": {"da": "Genindlæggelser", "en": "Readmissions"},
    "sec_discharges": {"da": "Udskrivningstidspunkter", "en": "Discharge timing"},
    "sec_conformance": {"da": "Overensstemmelse med referenceforløbet", "en": "Conformance to the reference pathway"},

    # --- extract
    "ex_finding_1": {"da": "Udtrækket rummer {events} for {cases} fra {first} til {last}.",
                     "en": "The extract holds {events} for {cases} from {first} to {last}."},
    "ex_finding_rej": {"da": "{rejected} af {read} indlæste rækker ({share}) kunne ikke bruges og indgår ikke; "
                             "årsagerne står i tabellen nedenfor.",
                       "en": "{rejected} of the {read} rows read ({share}) could not be used and are left out; "
                             "the reasons are in the table below."},
    "ex_finding_norej": {"da": "Alle {read} indlæste rækker kunne bruges.",
                         "en": "All {read} rows read could be used."},
    "ex_finding_quality": {"da": "Kvalitetstjekket fandt {errors} og {warnings}.",
                           "en": "The quality check found {errors} and {warnings}."},
    "ex_finding_quality_none": {"da": "Kvalitetstjekket fandt intet at bemærke.",
                                "en": "The quality check found nothing to remark on."},
    "ex_as_of_default": {"da": "Der blev ikke angivet nogen opgørelsesdato (as_of), så rapporten regner ventetider "
                               "op til udtrækkets sidste hændelse, {as_of}.",
                         "en": "No evaluation date (as_of) was given, so the report counts waits up to the "
                               "extract's last event, {as_of}."},
    "ex_overview": {"da": "Overblik", "en": "Overview"},
    "ex_quality": {"da": "Datakvalitet: tjek der fandt noget", "en": "Data quality: checks that found something"},
    "ex_quality_none": {"da": "Ingen af kvalitetstjekkene fandt noget.",
                        "en": "None of the quality checks found anything."},
    "ex_unknown_units": {"da": "Enheder som taksonomien ikke kan placere (domæne og sektor ukendt)",
                         "en": "Units the taxonomy cannot place (domain and sector unknown)"},
    "ex_units_note": {"da": "Tilføj dem til en UnitTaxonomy; indtil da tæller de som ukendt sektor og domæne.",
                      "en": "Add them to a UnitTaxonomy; until then they count as unknown sector and domain."},
    "k_events": {"da": "Hændelser", "en": "Events"},
    "k_cases": {"da": "Patienter (forløb)", "en": "Patients (cases)"},
    "k_activities": {"da": "Aktiviteter", "en": "Activities"},
    "k_units": {"da": "Enheder", "en": "Units"},
    "k_period": {"da": "Periode", "en": "Period"},
    "k_tz": {"da": "Tidszone", "en": "Time zone"},
    "k_read": {"da": "Rækker læst", "en": "Rows read"},
    "k_rejected": {"da": "Rækker afvist", "en": "Rows rejected"},
    "k_as_of": {"da": "Opgørelsesdato (as_of)", "en": "Evaluation date (as_of)"},
    "as_of_last_event": {"da": "{date} (sidste hændelse; ikke angivet)", "en": "{date} (last event; not given)"},

    # --- column labels
    "c_measure": {"da": "Mål", "en": "Measure"},
    "c_value": {"da": "Værdi", "en": "Value"},
    "c_check": {"da": "Tjek", "en": "Check"},
    "c_severity": {"da": "Alvor", "en": "Severity"},
    "c_rows": {"da": "Rækker", "en": "Rows"},
    "c_cases": {"da": "Patienter", "en": "Patients"},
    "c_events": {"da": "Hændelser", "en": "Events"},
    "c_share": {"da": "Andel", "en": "Share"},
    "c_example": {"da": "Eksempel", "en": "Example"},
    "c_action": {"da": "Hvad gør man", "en": "What to do"},
    "c_unit": {"da": "Enhed", "en": "Unit"},
    "c_domain": {"da": "Domæne", "en": "Domain"},
    "c_sector": {"da": "Sektor", "en": "Sector"},
    "c_from": {"da": "Fra", "en": "From"},
    "c_to": {"da": "Til", "en": "To"},
    "c_handovers": {"da": "Overgange", "en": "Handovers"},
    "c_median_gap": {"da": "Median pause", "en": "Median gap"},
    "c_long_gaps": {"da": "Pauser over {max_gap}", "en": "Gaps over {max_gap}"},
    "c_source": {"da": "Fra aktivitet", "en": "From activity"},
    "c_target": {"da": "Til aktivitet", "en": "To activity"},
    "c_transitions": {"da": "Overgange", "en": "Transitions"},
    "c_median_time": {"da": "Median tid", "en": "Median time"},
    "c_variant": {"da": "Forløb (aktiviteter i rækkefølge)", "en": "Pathway (activities in order)"},
    "c_route": {"da": "Ring (enheder)", "en": "Ring (units)"},
    "c_kind": {"da": "Type", "en": "Kind"},
    "c_returns": {"da": "Tilbagevendinger", "en": "Returns"},
    "c_episodes": {"da": "Forløb i ring", "en": "Loop episodes"},
    "c_gave_up": {"da": "Opgav", "en": "Gave up"},
    "c_gave_up_share": {"da": "Andel der opgav", "en": "Share gave up"},
    "c_median_duration": {"da": "Median varighed", "en": "Median duration"},
    "c_median_back": {"da": "Median tid til tilbagevenden", "en": "Median time to return"},
    "c_direction": {"da": "Retning", "en": "Direction"},
    "c_bounces": {"da": "Frem og tilbage", "en": "Bounces"},
    "c_first_unit": {"da": "Første enhed", "en": "First unit"},
    "c_middle_unit": {"da": "Mellem-enhed", "en": "Middle unit"},
    "c_rule": {"da": "Regel", "en": "Rule"},
    "c_threshold": {"da": "Grænse", "en": "Threshold"},
    "c_n_waits": {"da": "Ventetider", "en": "Waits"},
    "c_n_ended": {"da": "Afsluttede", "en": "Ended"},
    "c_n_open": {"da": "Stadig ventende", "en": "Still waiting"},
    "c_median": {"da": "Median", "en": "Median"},
    "c_n_superseded": {"da": "Afløst af ny start", "en": "Superseded by a new start"},
    "c_km_median": {"da": "Kaplan–Meier-median", "en": "Kaplan–Meier median"},
    "c_median_ci_low": {"da": "Median, 95 % KI nedre", "en": "Median, 95% CI lower"},
    "c_median_ci_high": {"da": "Median, 95 % KI øvre", "en": "Median, 95% CI upper"},
    "c_km_over": {"da": "Over grænsen (Kaplan–Meier)", "en": "Over the threshold (Kaplan–Meier)"},
    "c_over_ci_low": {"da": "Over grænsen, 95 % KI nedre", "en": "Over the threshold, 95% CI lower"},
    "c_over_ci_high": {"da": "Over grænsen, 95 % KI øvre", "en": "Over the threshold, 95% CI upper"},
    "c_median_ended": {"da": "Median af de afsluttede alene", "en": "Median of the ended waits alone"},
    "c_status": {"da": "Status", "en": "Status"},
    "c_discharges": {"da": "Udskrivninger", "en": "Discharges"},
    "c_readm_30": {"da": "Genindlagt inden 30 dage", "en": "Readmitted within 30 days"},
    "c_rate_30": {"da": "Andel 30 dage", "en": "Rate 30 days"},
    "c_readm_3": {"da": "Genindlagt inden 3 dage", "en": "Readmitted within 3 days"},
    "c_rate_3": {"da": "Andel 3 dage", "en": "Rate 3 days"},
    "c_age_band": {"da": "Alder", "en": "Age"},
    "c_weekday": {"da": "Ugedag", "en": "Weekday"},
    "c_deviation": {"da": "Afvigelse", "en": "Deviation"},
    "c_bin_from": {"da": "Fra ({unit})", "en": "From ({unit})"},
    "c_bin_to": {"da": "Til ({unit})", "en": "To ({unit})"},
    "c_time": {"da": "Tid ({unit})", "en": "Time ({unit})"},
    "c_at_risk": {"da": "Stadig ventende (i risiko)", "en": "Still waiting (at risk)"},
    "c_still_waiting": {"da": "Andel der stadig venter", "en": "Share still waiting"},
    "c_ci_low": {"da": "95 % KI, nedre", "en": "95% CI, lower"},
    "c_ci_high": {"da": "95 % KI, øvre", "en": "95% CI, upper"},
    "c_fitness": {"da": "Fitness", "en": "Fitness"},
    "other_rows": {"da": "Øvrige ({n})", "en": "Other ({n})"},
    "severity_error": {"da": "fejl", "en": "error"},
    "severity_warning": {"da": "advarsel", "en": "warning"},
    "severity_info": {"da": "note", "en": "note"},
    "severity_ok": {"da": "ok", "en": "ok"},

    # --- unit map
    "um_finding_1": {"da": "Der er {handovers} overgange mellem {units} enheder; {cross} af dem krydser en "
                           "sektorgrænse.",
                     "en": "There are {handovers} handovers between {units} units; {cross} of them cross a sector "
                           "boundary."},
    "um_finding_2": {"da": "Den hyppigste overgang mellem sektorer er {from_} → {to} ({n} patienter).",
                     "en": "The most common move between sectors is {from_} → {to} ({n} patients)."},
    "um_finding_3": {"da": "{long} overgange ({share}) efterlod patienten mere end {max_gap} uden at nogen havde "
                           "ansvaret (\u201efalder mellem to stole\u201c).",
                     "en": "{long} handovers ({share}) left the patient more than {max_gap} with nobody "
                           "holding them (\u201cfalling between two chairs\u201d)."},
    "um_finding_unknown": {"da": "{n} overgange ({share}) har en enhed med ukendt sektor i den ene ende; om de "
                                 "krydser en sektorgrænse vides ikke (de tælles ikke med). Kortlæg enhederne med "
                                 "en taksonomi.",
                           "en": "{n} handovers ({share}) have a unit of unknown sector at one end; whether they "
                                 "cross a sector boundary is not known (they are not counted as crossing). Map the "
                                 "units with a taxonomy."},
    "um_no_unit": {"da": "Udtrækket har ingen enhedskolonne, så kortet over enheder og sektorer kan ikke tegnes.",
                   "en": "The extract has no unit column, so the map of units and sectors cannot be drawn."},
    "um_no_handovers": {"da": "Ingen patient skiftede enhed i udtrækket.",
                        "en": "No patient moved between units in this extract."},
    "um_title": {"da": "Overgange mellem enheder", "en": "Handovers between units"},
    "um_caption": {"da": "Enheder grupperet efter sektor; pile er overgange med antal patienter og median pause. "
                         "Rød: på en cirkulær rute; lilla: krydser grænsen mellem psykiatri og somatik; "
                         "orange: median pause over {max_gap}.",
                   "en": "Units grouped by sector; arrows are handovers with the number of patients and the "
                         "median gap. Red: on a circular route; purple: crosses the psychiatric/somatic line; "
                         "orange: median gap over {max_gap}."},
    "um_sector_table": {"da": "Overgange mellem sektorer", "en": "Handovers between sectors"},
    "um_unit_table": {"da": "Enheder", "en": "Units"},

    # --- process map
    "pm_finding_1": {"da": "{cases} fulgte {variants} af aktiviteter{top10}.",
                     "en": "{cases} followed {variants} of activities{top10}."},
    "pm_finding_1_same": {"da": "{cases} fulgte alle samme rækkefølge af aktiviteter.",
                          "en": "{cases} all followed the same sequence of activities."},
    "pm_top10": {"da": "; de 10 hyppigste dækker {share} af patienterne",
                 "en": "; the 10 most common cover {share} of them"},
    "pm_finding_2": {"da": "Det hyppigste skridt er {source} → {target} ({n} patienter, median {days}).",
                     "en": "The most common step is {source} → {target} ({n} patients, median {days})."},
    "pm_title": {"da": "Proceskort (aktiviteter)", "en": "Process map (activities)"},
    "pm_caption": {"da": "Aktiviteter som knuder og direkte overgange som pile, med antal patienter. Kortet viser "
                         "de hyppigste aktiviteter og overgange; hvad der er udeladt, står under kortet.",
                   "en": "Activities as nodes and direct transitions as arrows, with the number of patients. The "
                         "map shows the most frequent activities and transitions; what is left out is stated "
                         "under it."},
    "pm_transitions": {"da": "De hyppigste overgange mellem aktiviteter", "en": "The most common transitions"},
    "pm_variants": {"da": "De hyppigste forløb", "en": "The most common pathways"},
    "pm_variants_note": {"da": "Kun forløb som mindst {min_count} patienter fulgte.",
                         "en": "Only pathways followed by at least {min_count} patients."},

    # --- loops
    "lp_finding_1": {"da": "{patients} patienter ({share}) blev sendt rundt i ring mindst én gang: {episodes} "
                           "forløb i ring, heraf {pingpong} frem og tilbage mellem to enheder.",
                     "en": "{patients} patients ({share}) were sent round in a ring at least once: {episodes} "
                           "loop episodes, {pingpong} of them ping-pong between two units."},
    "lp_within_hours": {"da": "inden for {hours} timer", "en": "within {hours} hours"},
    "lp_same_day": {"da": "samme dag", "en": "on the same day"},
    "lp_staff_groups": {"da": "Men {short} af {returns} tilbagevendinger sker {within}: "
                              "„enhederne“ ser ud til at være personale- eller ressourcegrupper, der "
                              "skiftes, ikke afdelinger, der henviser (se datakvaliteten). Tæl ringe på "
                              "henvisninger, brug en anden enhedskolonne eller en taksonomi.",
                        "en": "But {short} of {returns} returns come {within}: the “units” "
                              "look like staff or resource groups taking turns, not departments referring "
                              "patients (see the data quality). Count loops on referrals, use another unit "
                              "column or a taxonomy."},
    "lp_finding_2": {"da": "Den hyppigste ring er {route} ({returns} tilbagevendinger, {n} patienter).",
                     "en": "The most common ring is {route} ({returns} returns, {n} patients)."},
    "lp_finding_3": {"da": "Efter {gave_up} af forløbene i ring opgav patienten: ingen kontakt i {quiet} bagefter "
                           "og ingen behandling eller afslutning.",
                     "en": "After {gave_up} of the loop episodes the patient gave up: no contact in the {quiet} "
                           "after, and no treatment or closure."},
    "lp_none": {"da": "Ingen patient blev sendt rundt i ring (tilbage til en enhed via 1–{max_between} andre "
                      "inden for {within}).",
                "en": "No patient was sent round in a ring (back to a unit via 1–{max_between} others within "
                      "{within})."},
    "lp_routes": {"da": "De hyppigste ringe", "en": "The most common rings"},
    "lp_routes_note": {"da": "En ring skrives fra den enhed patienten kommer tilbage til. Ringe med færre end "
                             "{min_count} patienter er lagt sammen under \u201eØvrige\u201c.",
                       "en": "A ring is written from the unit the patient comes back to. Rings with fewer than "
                             "{min_count} patients are merged under \u201cOther\u201d."},
    "lp_kinds": {"da": "Forløb i ring efter type", "en": "Loop episodes by kind"},
    "lp_kinds_note": {"da": "{censored} forløb sluttede mindre end {quiet} før udtrækkets sidste hændelse; om de "
                            "opgav, kan først ses i nyere data.",
                      "en": "{censored} episodes ended less than {quiet} before the extract's last event; whether "
                            "they gave up shows only in newer data."},
    "lp_title": {"da": "De hyppigste ringe", "en": "The most common rings"},
    "lp_caption": {"da": "Hver ring for sig: patienten går fra venstre mod højre og kommer tilbage ad den røde "
                         "pil. Antal tilbagevendinger og patienter står over hver ring.",
                   "en": "Each ring on its own: the patient moves left to right and comes back along the red "
                         "arrow. Returns and patients are stated above each ring."},
    "lp_ring_label": {"da": "#{rank}: {returns} tilbagevendinger, {n} patienter",
                      "en": "#{rank}: {returns} returns, {n} patients"},
    "kind_ping-pong": {"da": "frem og tilbage (A → B → A)", "en": "ping-pong (A → B → A)"},
    "kind_indirect": {"da": "indirekte (A → B → C → A)", "en": "indirect (A → B → C → A)"},

    # --- handovers
    "ho_finding_1": {"da": "{n} overgange krydsede grænsen mellem psykiatri og somatik ({ps} fra psykiatri til "
                           "somatik, {sp} fra somatik til psykiatri) for {patients} patienter; median pause {gap}.",
                     "en": "{n} handovers crossed the line between psychiatry and somatic care ({ps} psychiatric "
                           "to somatic, {sp} somatic to psychiatric) for {patients} patients; median gap {gap}."},
    "ho_finding_2": {"da": "{bounces} gange kom patienten tilbage til samme side inden for {within} (frem og "
                           "tilbage); det ramte {patients} patienter ({share} af alle).",
                     "en": "{bounces} times the patient came back to the same side within {within} (a bounce); "
                           "that affected {patients} patients ({share} of all)."},
    "ho_finding_3": {"da": "Den hyppigste overgang over grænsen er {from_} → {to} ({n} patienter).",
                     "en": "The most common crossing is {from_} → {to} ({n} patients)."},
    "ho_none": {"da": "Ingen patient skiftede mellem en psykiatrisk og en somatisk enhed i udtrækket.",
                "en": "No patient moved between a psychiatric and a somatic unit in this extract."},
    "ho_directions": {"da": "Overgange over grænsen, efter retning", "en": "Crossings by direction"},
    "ho_pairs": {"da": "De hyppigste overgange over grænsen", "en": "The most common crossings"},
    "ho_bounces": {"da": "Frem og tilbage inden for {within}", "en": "Bounces within {within}"},
    "ho_chart_title": {"da": "Overgange mellem psykiatri og somatik (patienter)",
                       "en": "Psychiatric–somatic crossings (patients)"},
    "ho_caption": {"da": "Antal patienter pr. overgang over grænsen; median pause i parentes.",
                   "en": "Patients per crossing; median gap in brackets."},
    "ps": {"da": "psykiatri → somatik", "en": "psychiatric → somatic"},
    "sp": {"da": "somatik → psykiatri", "en": "somatic → psychiatric"},
    "psp": {"da": "psykiatri → somatik → psykiatri", "en": "psychiatric → somatic → psychiatric"},
    "sps": {"da": "somatik → psykiatri → somatik", "en": "somatic → psychiatric → somatic"},

    # --- waits
    "wt_finding_1": {"da": "{k} af {total} ventetidsregler kunne opgøres på udtrækket.",
                     "en": "{k} of the {total} waiting-time rules could be evaluated on this extract."},
    "wt_finding_2": {"da": "Størst er problemet ved {rule}: {share} af ventetiderne var længere end {threshold} "
                           "(95 % KI {share_ci}), og medianventetiden var {median} (95 % KI {median_ci}). Begge tal "
                           "er Kaplan–Meier-estimater, som også regner med dem der stadig venter, og med dem hvis "
                           "ventetid blev afløst af en ny start, så længe de er fulgt.",
                     "en": "The largest problem is {rule}: {share} of the waits were longer than {threshold} "
                           "(95% CI {share_ci}), and the median wait was {median} (95% CI {median_ci}). Both are "
                           "Kaplan–Meier estimates, which also count those still waiting and those whose wait was "
                           "superseded by a new start, for as long as they were followed."},
    "wt_finding_2_ok": {"da": "Færre end {min_count} ventetider var over grænsen, for hver regel med en grænse.",
                        "en": "Fewer than {min_count} waits were over the threshold, for every rule that has one."},
    "wt_finding_2_nothr": {"da": "Ingen af dem har en grænse; fordelingerne nedenfor viser ventetiderne.",
                           "en": "None of them has a threshold; the distributions below show the waits."},
    "wt_finding_3_longest": {"da": "Den længste median har {rule}: {median}.",
                             "en": "The longest median wait is for {rule}: {median}."},
    "wt_highlight": {"da": "{rule}: {share} af ventetiderne var længere end {threshold} (95 % KI {share_ci}); "
                           "median {median} (95 % KI {median_ci}), begge efter Kaplan–Meier.",
                     "en": "{rule}: {share} of the waits were longer than {threshold} (95% CI {share_ci}); median "
                           "{median} (95% CI {median_ci}), both by Kaplan–Meier."},
    "wt_finding_3": {"da": "{open} ventetider var stadig åbne pr. {as_of}, og {superseded} blev afløst af en ny "
                           "start (fx en ny henvisning) før de sluttede.",
                     "en": "{open} waits were still open on {as_of}, and {superseded} were superseded by a new start "
                           "(e.g. a new referral) before they ended."},
    "wt_none": {"da": "Ingen af ventetidsreglerne kunne opgøres: udtrækket indeholder ikke deres start- og "
                      "sluthændelser.",
                "en": "None of the waiting-time rules could be evaluated: the extract lacks their start and end "
                      "events."},
    "wt_table": {"da": "Ventetider mod hver regel", "en": "Waits against each rule"},
    "wt_table_note": {"da": "Median og andel over grænsen er Kaplan–Meier-estimater: de stadig ventende og de "
                            "afløste regnes med, som ventende mindst så længe de er fulgt. 95 % KI: for andelen "
                            "log-log med Greenwoods varians, for medianen Brookmeyer–Crowley. Medianen af de "
                            "afsluttede alene er med til sammenligning; den udelader de længste ventetider.",
                      "en": "Median and share over the threshold are Kaplan–Meier estimates: those still waiting "
                            "and those superseded count as waiting at least as long as they were followed. 95% CI: "
                            "log-log with Greenwood's variance for the share, Brookmeyer–Crowley for the median. "
                            "The median of the ended waits alone is shown for comparison; it leaves out the "
                            "longest waits."},
    "wt_hist_title": {"da": "{rule}: afsluttede ventetider", "en": "{rule}: ended waits"},
    "wt_km_title": {"da": "{rule}: andel der stadig venter", "en": "{rule}: share still waiting"},
    "wt_hist_caption": {"da": "Antal afsluttede ventetider pr. interval; den røde linje er grænsen ({threshold}). "
                              "Stiplede søjler: færre end {min_count} (tallet skjules).",
                        "en": "Ended waits per interval; the red line is the threshold ({threshold}). Dashed "
                              "bars: fewer than {min_count} (the count is hidden)."},
    "wt_hist_caption_nothr": {"da": "Antal afsluttede ventetider pr. interval; reglen har ingen grænse. Stiplede "
                                    "søjler: færre end {min_count} (tallet skjules).",
                              "en": "Ended waits per interval; the rule has no threshold. Dashed bars: fewer than "
                                    "{min_count} (the count is hidden)."},
    "wt_km_caption": {"da": "Kaplan–Meier: andel der endnu ikke har fået {end} efter så lang tid, med 95 % "
                            "konfidensbånd. Aksen går til 95 %-fraktilen af de afsluttede ventetider (eller det "
                            "dobbelte af grænsen), og kurven stopper hvor færre end {min_count} stadig venter.",
                      "en": "Kaplan–Meier: share who have not yet reached {end} after so much time, with a 95% "
                            "band. The axis ends at the 95th percentile of the ended waits (or twice the "
                            "threshold), and the curve stops where fewer than {min_count} are still waiting."},
    "wt_status_ok": {"da": "opgjort", "en": "evaluated"},
    "wt_status_absent": {"da": "ikke i udtrækket", "en": "not in this extract"},
    "wt_status_small": {"da": "for få til at vise", "en": "too few to show"},
    "count_axis": {"da": "antal", "en": "count"},
    "waiting_axis": {"da": "venter stadig", "en": "still waiting"},
    "threshold_label": {"da": "grænse", "en": "threshold"},
    "suppressed_label": {"da": "færre end {min_count}", "en": "fewer than {min_count}"},
    # --- the public charts (pw.histogram, pw.km_chart, pw.heatmap, pw.bar_chart): default titles and captions
    "hist_title": {"da": "Fordeling", "en": "Distribution"},
    "km_title": {"da": "Andel der stadig venter", "en": "Share still waiting"},
    "heat_title": {"da": "Antal", "en": "Counts"},
    "bar_title": {"da": "Antal", "en": "Counts"},
    "bar_title_shares": {"da": "Andele", "en": "Shares"},
    "chart_small": {"da": "{n} tal under {min_count} vist som <{min_count}.",
                    "en": "{n} {n:count|counts} under {min_count} shown as <{min_count}."},
    "km_none": {"da": "Færre end {min_count} ventetider: intet at vise.",
                "en": "Fewer than {min_count} waits at risk: nothing to draw."},
    "km_caption": {"da": "Kaplan–Meier: andel der stadig venter, med 95 % konfidensbånd; kurven stopper hvor færre "
                         "end {min_count} stadig venter.",
                   "en": "Kaplan–Meier: share still waiting, with a 95% band; the curve stops where fewer than "
                         "{min_count} are still waiting."},

    # --- readmissions
    "rd_finding_1": {"da": "Af {n} udskrivninger blev {share30} fulgt af en {acute}genindlæggelse inden for 30 "
                           "dage og {share3} inden for 3 dage.",
                     "en": "Of {n} discharges, {share30} were followed by an {acute}readmission within 30 days "
                           "and {share3} within 3 days."},
    "acute_word": {"da": "akut ", "en": "acute "},
    "rd_finding_2": {"da": "Den højeste andel inden for 30 dage har {unit}: {rate} af {n} udskrivninger.",
                     "en": "The highest 30-day rate is at {unit}: {rate} of {n} discharges."},
    "rd_finding_3": {"da": "{n} patienter havde mindst 3 indlæggelser inden for et år "
                           "(\u201edrejedørspatienter\u201c).",
                     "en": "{n} patients had 3 or more admissions within a year (revolving door)."},
    "rd_all_admissions": {"da": "Udtrækket siger ikke hvilke indlæggelser der var akutte, så alle indlæggelser "
                                "tæller.",
                          "en": "The extract does not say which admissions were acute, so every admission counts."},
    "rd_none": {"da": "Udtrækket indeholder ingen udskrivninger og indlæggelser at opgøre genindlæggelser på.",
                "en": "The extract has no discharges and admissions to count readmissions on."},
    "rd_by_unit": {"da": "Genindlæggelser efter udskrivende enhed", "en": "Readmissions by discharging unit"},
    "rd_by_age": {"da": "Genindlæggelser efter alder", "en": "Readmissions by age"},
    "rd_chart_title": {"da": "Genindlagt inden for 30 dage, efter udskrivende enhed",
                       "en": "Readmitted within 30 days, by discharging unit"},
    "rd_caption": {"da": "Andel af udskrivningerne fra hver enhed der blev fulgt af en genindlæggelse inden for 30 "
                         "dage. Enheder med færre end {min_count} udskrivninger er udeladt.",
                   "en": "Share of each unit's discharges followed by a readmission within 30 days. Units with "
                         "fewer than {min_count} discharges are left out."},

    # --- discharges
    "dc_finding_1": {"da": "Af {n} udskrivninger skete {fri} på en fredag og {after15} kl. 15 eller senere "
                           "({fri15} fredag eftermiddag).",
                     "en": "Of {n} discharges, {fri} were on a Friday and {after15} at 15:00 or later ({fri15} on "
                           "a Friday afternoon)."},
    "dc_finding_2": {"da": "Af {notices} udskrivninger med varsel til kommunen fik {meet} de {rule} som "
                           "varslingsreglen kræver; median varsel {lead}.",
                     "en": "Of {notices} discharges with a notice to the municipality, {meet} gave the {rule} the "
                           "notice rule requires; median notice {lead}."},
    "dc_finding_3": {"da": "{n} udskrivninger havde intet varsel i udtrækket.",
                     "en": "{n} discharges had no notice in the extract."},
    "dc_none": {"da": "Udtrækket indeholder ingen udskrivninger.", "en": "The extract has no discharges."},
    "dc_heat_title": {"da": "Udskrivninger efter ugedag og klokkeslæt", "en": "Discharges by weekday and hour"},
    "dc_heat_caption": {"da": "Antal udskrivninger pr. ugedag og time (lokal tid); mørkere er flere. Felter med "
                              "færre end {min_count} viser \u201e<{min_count}\u201c.",
                        "en": "Discharges per weekday and hour (local time); darker is more. Cells with fewer "
                              "than {min_count} show \u201c<{min_count}\u201d."},
    "dc_summary": {"da": "Udskrivningstidspunkter og varsler", "en": "Discharge times and notices"},
    "dc_weekdays": {"da": "Udskrivninger efter ugedag", "en": "Discharges by weekday"},
    "k_discharges": {"da": "Udskrivninger", "en": "Discharges"},
    "k_friday": {"da": "Heraf fredag", "en": "Of these on a Friday"},
    "k_after15": {"da": "Heraf kl. 15 eller senere", "en": "Of these at 15:00 or later"},
    "k_fri15": {"da": "Heraf fredag kl. 15 eller senere", "en": "Of these on a Friday at 15:00 or later"},
    "k_notices": {"da": "Med varsel til kommunen", "en": "With a notice to the municipality"},
    "k_meet": {"da": "Varsel på mindst {rule}", "en": "Notice of at least {rule}"},
    "k_no_notice": {"da": "Uden varsel", "en": "Without notice"},
    "k_median_lead": {"da": "Median varsel", "en": "Median notice"},
    "hour_axis": {"da": "klokkeslæt", "en": "hour"},

    # --- conformance
    "cf_finding_1": {"da": "{fit} af {n} patienter fulgte referenceforløbet uden afvigelser; den gennemsnitlige "
                           "fitness er {fitness}.",
                     "en": "{fit} of {n} patients followed the reference pathway without deviation; the mean "
                           "fitness is {fitness}."},
    "cf_finding_2": {"da": "Den hyppigste afvigelse er {dev} ({n} patienter).",
                     "en": "The most common deviation is {dev} ({n} patients)."},
    "cf_missing": {"da": "Der er ikke angivet noget referenceforløb (reference=).",
                   "en": "No reference pathway was given (reference=)."},
    "cf_scope": {"da": "Alle patienter i udtrækket sammenlignes med referenceforløbet; patienter som forløbet ikke "
                       "gælder for, tæller som afvigende. Filtrer udtrækket først for kun at se dem det gælder.",
                 "en": "Every patient of the extract is compared with the reference pathway; patients it does not "
                       "apply to count as deviating. Filter the extract first to see only those it applies to."},
    "c_deviations_n": {"da": "Afvigelser", "en": "Deviations"},
    "dev_skipped": {"da": "sprunget over", "en": "skipped"},
    "dev_out_of_order": {"da": "i forkert rækkefølge", "en": "out of order"},
    "dev_inserted": {"da": "ekstra (gentaget)", "en": "inserted (extra)"},
    "dev_time_limit": {"da": "over tidsgrænsen", "en": "over the time limit"},
    "cf_deviations": {"da": "De hyppigste afvigelser", "en": "The most common deviations"},
    "cf_hist_title": {"da": "Fitness pr. patient", "en": "Fitness per patient"},
    "cf_hist_caption": {"da": "Antal patienter efter fitness (1 = fulgte referenceforløbet helt).",
                        "en": "Patients by fitness (1 = followed the reference pathway fully)."},

    # --- footer
    "footer_privacy": {"da": "Databeskyttelse: rapporten viser ingen patient-id'er. Antal fra 1 til {below} vises "
                             "som \u201e<{min_count}\u201c, og andele bygget på dem vises som en øvre grænse eller "
                             "udelades, ligesom medianer over færre end {min_count}; rækker (ringe, enheder, "
                             "forløb) med færre end {min_count} patienter er lagt sammen under \u201eØvrige\u201c "
                             "eller udeladt, kortenes pile med færre end {min_count} patienter er udeladt, og "
                             "Kaplan–Meier-kurverne stopper hvor færre end {min_count} stadig venter. Filen henter "
                             "intet fra nettet.",
                       "en": "Privacy: the report shows no patient ids. Counts from 1 to {below} are shown as "
                             "\u201c<{min_count}\u201d, and shares built on them are shown as an upper bound or left "
                             "out, as are medians over fewer than {min_count}; rows (rings, units, pathways) with "
                             "fewer than {min_count} patients are merged under \u201cOther\u201d or left out, map "
                             "arrows with fewer than {min_count} patients are left out, and the Kaplan–Meier curves "
                             "stop where fewer than {min_count} are still waiting. The file loads nothing from the "
                             "network."},
    "footer_parameters": {"da": "Parametre", "en": "Parameters"},
    "footer_version": {"da": "Lavet med pathways {version}.", "en": "Made with pathways {version}."},
    "p_as_of": {"da": "opgørelsesdato (as_of)", "en": "evaluation date (as_of)"},
    "p_min_count": {"da": "mindste viste antal (min_count)", "en": "smallest count shown (min_count)"},
    "p_language": {"da": "sprog", "en": "language"},
    "p_thresholds": {"da": "ventetidsregler (thresholds)", "en": "waiting-time rules (thresholds)"},
    "p_loops": {"da": "ringe", "en": "loops"},
    "p_loops_value": {"da": "tilbage inden for {within}, højst {max_between} enheder imellem; opgivet efter {quiet} "
                            "uden kontakt",
                      "en": "back within {within}, at most {max_between} units between; gave up after {quiet} "
                            "without contact"},
    "p_handovers": {"da": "overgange", "en": "handovers"},
    "p_handovers_value": {"da": "lang pause over {max_gap}; frem og tilbage inden for {within}",
                          "en": "long gap over {max_gap}; bounce within {within}"},
    "p_readmissions": {"da": "genindlæggelser", "en": "readmissions"},
    "p_readmissions_value": {"da": "inden for 30 og 3 dage; {acute}", "en": "within 30 and 3 days; {acute}"},
    "p_acute_only": {"da": "kun akutte (kolonnen {column})", "en": "acute only (column {column})"},
    "p_all_admissions": {"da": "alle indlæggelser", "en": "all admissions"},
    "p_notice": {"da": "varslingsregel", "en": "notice rule"},
    "p_reference": {"da": "referenceforløb", "en": "reference pathway"},
    "p_none": {"da": "ingen", "en": "none"},
    "no_threshold": {"da": "ingen grænse", "en": "no threshold"},
    "p_tz": {"da": "tidszone", "en": "time zone"},
    "section_failed": {"da": "Afsnittet kunne ikke beregnes: {error}",
                       "en": "This section could not be computed: {error}"},
}

#: Swimlane names per sector and per domain, in lane order (top to bottom).
SECTOR_LANES: dict[str, dict[str, str]] = {
    "en": {"region": "Region (hospitals, psychiatry)", "municipality": "Municipality",
           "general_practice": "General practice", "private": "Private practice", "other": "Other",
           "unknown": "Unknown sector"},
    "da": {"region": "Region (hospitaler, psykiatri)", "municipality": "Kommune", "general_practice": "Almen praksis",
           "private": "Privat praksis", "other": "Andet", "unknown": "Ukendt sektor"},
}
DOMAIN_LANES: dict[str, dict[str, str]] = {
    "en": {"psychiatric": "Psychiatric", "somatic": "Somatic", "municipal_care": "Municipal care", "social": "Social",
           "substance": "Substance use", "general_practice": "General practice", "other": "Other",
           "unknown": "Unknown domain"},
    "da": {"psychiatric": "Psykiatri", "somatic": "Somatik", "municipal_care": "Kommunal pleje",
           "social": "Socialområdet", "substance": "Rusmiddelområdet", "general_practice": "Almen praksis",
           "other": "Andet", "unknown": "Ukendt domæne"},
}

#: Domains and sectors as they read inside a sentence (the lanes above are their titles).
DOMAINS = {
    "da": {"psychiatric": "psykiatri", "somatic": "somatik", "municipal_care": "kommunal pleje",
           "social": "socialområdet", "substance": "rusmiddelområdet", "general_practice": "almen praksis",
           "other": "andet", "unknown": "ukendt"},
    "en": {"psychiatric": "psychiatric", "somatic": "somatic", "municipal_care": "municipal care",
           "social": "social", "substance": "substance use", "general_practice": "general practice",
           "other": "other", "unknown": "unknown"},
}
SECTORS = {
    "da": {"region": "region", "municipality": "kommune", "general_practice": "almen praksis",
           "private": "privat praksis", "other": "andet", "unknown": "ukendt"},
    "en": {"region": "region", "municipality": "municipality", "general_practice": "general practice",
           "private": "private practice", "other": "other", "unknown": "unknown"},
}

#: Labels of the default waiting-time rules (pathways.GUARANTEES names).
RULES = {
    "udredningsret": {"da": "Udredningsret: henvisning modtaget → udredning start (psykiatri)",
                      "en": "Right to assessment: referral received → assessment start (psychiatry)"},
    "child_psychiatry_first_contact": {"da": "Børne- og ungdomspsykiatri: henvisning modtaget → førstegangssamtale",
                                       "en": "Child psychiatry: referral received → first contact"},
    "psychiatric_discharge_to_dp": {"da": "Udskrivning fra psykiatrien → første kontakt i distriktspsykiatrien",
                                    "en": "Psychiatric discharge → first contact in district psychiatry"},
    "diagnosis_conference_to_treatment": {"da": "Diagnostisk konference → behandling start",
                                          "en": "Diagnosis conference → treatment start"},
    "ready_for_discharge_bed_days": {"da": "Færdigmeldt → udskrivning (sengedage i venteposition)",
                                     "en": "Ready for discharge → discharge (bed-days waiting)"},
    "rejected_to_next_referral": {"da": "Afslag → næste henvisning", "en": "Referral rejected → next referral"},
    "needs_assessment_to_municipal_service": {"da": "Kommunal visitation → første kommunale ydelse",
                                              "en": "Needs assessment → first municipal service"},
}
#: The default rules as they read inside a sentence.
RULE_SHORT = {
    "udredningsret": {"da": "udredningsretten", "en": "the right to assessment"},
    "child_psychiatry_first_contact": {"da": "første samtale i børne- og ungdomspsykiatrien",
                                       "en": "the first contact in child psychiatry"},
    "psychiatric_discharge_to_dp": {"da": "opfølgning i distriktspsykiatrien efter udskrivning",
                                    "en": "district psychiatry follow-up after discharge"},
    "diagnosis_conference_to_treatment": {"da": "behandling efter diagnostisk konference",
                                          "en": "treatment after the diagnosis conference"},
    "ready_for_discharge_bed_days": {"da": "udskrivning efter færdigmelding", "en": "discharge once ready"},
    "rejected_to_next_referral": {"da": "ny henvisning efter afslag", "en": "a new referral after a rejection"},
    "needs_assessment_to_municipal_service": {"da": "kommunal ydelse efter visitation",
                                              "en": "a municipal service after the needs assessment"},
}
#: What the end milestone of each default rule is, for the Kaplan–Meier caption.
RULE_ENDS = {
    "udredningsret": {"da": "udredning", "en": "assessment"},
    "child_psychiatry_first_contact": {"da": "førstegangssamtale", "en": "a first contact"},
    "psychiatric_discharge_to_dp": {"da": "kontakt med distriktspsykiatrien", "en": "a district psychiatry contact"},
    "diagnosis_conference_to_treatment": {"da": "behandling", "en": "treatment"},
    "ready_for_discharge_bed_days": {"da": "udskrivning", "en": "discharge"},
    "rejected_to_next_referral": {"da": "en ny henvisning", "en": "a new referral"},
    "needs_assessment_to_municipal_service": {"da": "en kommunal ydelse", "en": "a municipal service"},
}

#: Quality checks (pathways.quality_report) in Danish; English keeps the library's words.
#: The quality checks' names in Danish, by their id (pathways.quality.CHECKS; {detail} as there).
CHECKS_DA = {
    "rejected": "afviste rækker",
    "ties": "samme tidspunkt flere gange i et forløb",
    "midnight": "tidspunkter præcis kl. 00.00 (kun dato)",
    "after_as_of": "hændelser efter opgørelsesdatoen",
    "unknown_units": "ukendte enheder",
    "no_unit": "hændelser uden enhed",
    "unknown_activities": "aktiviteter uden hændelsestype",
    "single_event_cases": "forløb med én hændelse",
    "duplicates": "dubletter",
    "missing_end": "sluttidspunkter mangler",
    "dst_gap": "klokkeslæt der ikke findes (sommertid begynder)",
    "dst_overlap": "klokkeslæt der findes to gange (sommertid slutter)",
    "units_by_rule": "enheder placeret af en regel",
    "activities_by_rule": "aktiviteter placeret af en regel",
    "staff_groups": "enheder der opfører sig som personalegrupper",
    "long_cases": "forløb der strækker sig over mere end {detail} dage",
    "note": "{detail}",
}
#: What a reader counted beside the events (log.notes; pw.read_fhir), in Danish, by code (pathways.quality.NOTES).
NOTES_DA = {
    "entries_read": "indgange læst", "entries_to_events": "indgange der blev til hændelser",
    "supporting_entries": "understøttende indgange (patient, organisation, meddelelseshoved)",
    "entries_folded": "indgange lagt sammen med andre hændelser (rettelser, annulleringer)",
    "entries_of_duplicates": "indgange i dublerede meddelelser",
    "entries_not_read": "indgange af typer der ikke læses", "entries_rejected": "afviste indgange",
    "duplicate_messages": "dublerede meddelelser", "revisions": "rettelser", "cancellations": "annulleringer",
}
#: The quality checks' advice in Danish, by id.
ACTIONS_DA = {
    "rejected": "Se log.rejected; ret kilden eller indlæsningen.",
    "ties": "Rækkefølgen følger inputrækkerne; tjek at udtrækket står i rækkefølge.",
    "midnight": "Datoer uden klokkeslæt: rækkefølgen inden for en dag er usikker.",
    "after_as_of": "Hændelser i fremtiden: tjek datokolonnerne eller opgørelsesdatoen.",
    "unknown_units": "Tilføj dem til en UnitTaxonomy (enhed → domæne, sektor).",
    "no_unit": "De springes over i enhedsforløb, overgange og ringe.",
    "unknown_activities": "Kortlæg dem med Vocabulary.default().extend({...}).",
    "single_event_cases": "Ofte forløb skåret af udtrækkets periode.",
    "duplicates": "Præcise gentagelser; læs med duplicates='reject' for at sætte dem til side.",
    "missing_end": "Opholdets varighed er ukendt for disse hændelser.",
    "dst_gap": "Urene sprang frem: hvert klokkeslæt er flyttet frem med springet. "
               "Tjek kilden, eller angiv tidspunkterne med UTC-forskydning.",
    "dst_overlap": "Urene blev stillet tilbage: hvert klokkeslæt er læst som det "
                   "seneste af de to. Angiv UTC-forskydning, hvis det første menes.",
    "long_cases": "Måske genbrugte id'er; overvej forløbs-id'er.",
    "units_by_rule": "Bekræft dem i report.rule_classified (pw.rule_classified(log)); kortlæg en forkert "
                     "med UnitTaxonomy.default().extend({enhed: (domæne, sektor)}).",
    "activities_by_rule": "Bekræft dem i report.rule_classified (pw.rule_classified(log)); kortlæg en "
                          "forkert med Vocabulary.default().extend({aktivitet: hændelsestype}).",
    "staff_groups": "'Enhederne' skiftes som personale- eller ressourcegrupper, så ringe og "
                    "overgange er ikke henvisninger. Tæl ringe på henvisninger "
                    "(on='referrals'), læs en anden kolonne som enhed, eller kortlæg "
                    "enhederne med en UnitTaxonomy.",
}


MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
WEEKDAYS = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

#: Nouns counted in sentences (:meth:`Fmt.counted`): key -> language -> (singular, plural).
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "patient": {"da": ("patient", "patienter"), "en": ("patient", "patients")},
    "event": {"da": ("hændelse", "hændelser"), "en": ("event", "events")},
    "sequence": {"da": ("rækkefølge", "forskellige rækkefølger"), "en": ("sequence", "different sequences")},
    "error_kind": {"da": ("slags fejl", "slags fejl"), "en": ("kind of error", "kinds of error")},
    "warning_kind": {"da": ("slags advarsel", "slags advarsler"), "en": ("kind of warning", "kinds of warning")},
}


def check_language(language) -> str:
    """``language`` if it is ``"da"`` or ``"en"``, else OptionError."""
    return check_choice("language", language, LANGUAGES)


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
    >>> say("sec_loops", "da"), say("sec_loops", "en")
    ('Cirkulære henvisninger', 'Circular referrals')
    >>> say("counts_under", "da", min_count=5)
    'antal under 5 vises som <5'
    >>> say("edges_shown", "da", n=1), say("edges_shown", "da", n="<5")
    ('(1 pil vist)', '(<5 pile vist)')
    >>> say("showing_cases", "da", shown=100, total=1200), say("showing_cases", "en", shown=100, total=1200)
    ('viser 100 af 1.200 patienter', 'showing 100 of 1,200 cases')
    """
    entry = WORDS[key][language]
    return entry.format(**{k: _Value(v, language) for k, v in values.items()}) if values else entry


def check_name(check_id: str, detail: str, language: str) -> str:
    """A quality check's name in ``language``, from its id and detail (the columns of pw.quality_report).

    Examples
    --------
    >>> check_name("rejected", "missing_case_id", "da"), check_name("long_cases", "1826", "da")
    ('afvist: mangler patient-id', 'forløb der strækker sig over mere end 1826 dage')
    """
    if language != "da":
        from ..quality import check_name as english

        return english(check_id, detail)
    if check_id == "rejected" and detail:
        from ..rejections import text as reason

        return "afvist: " + reason(detail, "da")
    if check_id == "note":
        return NOTES_DA.get(detail, detail)
    return CHECKS_DA[check_id].format(detail=detail)


def check_action(check_id: str, action: str, language: str) -> str:
    """A quality check's advice in ``language`` (``action``: the English advice of its row)."""
    return ACTIONS_DA.get(check_id, action) if language == "da" else action




__all__ = ["LANGUAGES", "WORDS", "NOUNS", "MONTHS", "WEEKDAYS", "DOMAINS", "SECTORS", "DOMAIN_LANES", "SECTOR_LANES",
           "RULES", "RULE_SHORT", "RULE_ENDS", "CHECKS_DA", "NOTES_DA", "ACTIONS_DA", "check_language", "say",
           "check_name", "check_action"]
