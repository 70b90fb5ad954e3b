"""Units, activities, municipalities and health clusters used by the synthetic generator.

Everything here is a plain table so that tests (and the lead's taxonomy) can
cross-check it. Unit domains and sectors follow DOMAIN.md section 2; activity
names are Danish names from ``pathways.schema.EVENT_TYPES``.
"""

from __future__ import annotations

import numpy as np

# --- units: (name, domain, sector) -------------------------------------------------
UNITS: tuple[tuple[str, str, str], ...] = (
    ("Egen læge", "general_practice", "general_practice"),
    ("Vagtlæge", "general_practice", "general_practice"),
    ("Psykiatrisk Visitationsklinik", "psychiatric", "region"),
    ("Psykiatrisk Akutmodtagelse", "psychiatric", "region"),
    ("Psykiatrisk sengeafsnit", "psychiatric", "region"),
    ("Distriktspsykiatri", "psychiatric", "region"),
    ("Børne- og Ungdomspsykiatri", "psychiatric", "region"),
    ("Privatpraktiserende psykiater", "psychiatric", "private"),
    ("Akutmodtagelse", "somatic", "region"),
    ("Medicinsk afdeling", "somatic", "region"),
    ("Kardiologisk afdeling", "somatic", "region"),
    ("Gastroenterologisk afdeling", "somatic", "region"),
    ("Geriatrisk afdeling", "somatic", "region"),
    ("Smerteklinik", "somatic", "region"),
    ("Hjemmepleje", "municipal_care", "municipality"),
    ("Hjemmesygepleje", "municipal_care", "municipality"),
    ("Akutteam", "municipal_care", "municipality"),
    ("Midlertidig plads", "municipal_care", "municipality"),
    ("Plejehjem", "municipal_care", "municipality"),
    ("Genoptræning", "municipal_care", "municipality"),
    ("Misbrugscenter", "substance", "municipality"),
    ("Jobcenter", "social", "municipality"),
    ("Socialpsykiatri", "social", "municipality"),
    ("Bosted", "social", "municipality"),
)
UNIT_NAMES = tuple(u[0] for u in UNITS)
UNIT_DOMAIN = tuple(u[1] for u in UNITS)
UNIT_SECTOR = tuple(u[2] for u in UNITS)
U = {name: code for code, name in enumerate(UNIT_NAMES)}  # name -> code

#: Unit names the defect injector uses for "unknown unit" (not in any taxonomy).
UNKNOWN_UNITS = ("Afsnit 4711", "Klinik X", "Ukendt afsnit", "AFD-17B", "Team Nord 2")

# --- activities: (Danish name, event type) -------------------------------------------
ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("Lægekonsultation", "gp_contact"),
    ("Akut kontakt", "emergency_contact"),
    ("Henvisning", "referral"),
    ("Henvisning modtaget", "referral_received"),
    ("Afslag", "referral_rejected"),
    ("Visitation", "visitation"),
    ("Førstegangssamtale", "first_contact"),
    ("Udredning start", "assessment_start"),
    ("Udredning slut", "assessment_end"),
    ("Diagnostisk konference", "diagnosis_conference"),
    ("Behandling start", "treatment_start"),
    ("Ambulant besøg", "outpatient_visit"),
    ("Indlæggelse", "admission"),
    ("Overflytning", "transfer"),
    ("Færdigmeldt", "ready_for_discharge"),
    ("Varsling", "discharge_notice"),
    ("Udskrivning", "discharge"),
    ("Epikrise", "discharge_letter"),
    ("Plejeforløbsplan", "care_plan"),
    ("Kommunal visitation", "municipal_assessment"),
    ("Hjemmepleje start", "homecare_start"),
    ("Hjemmesygepleje start", "homecare_start"),
    ("Midlertidigt ophold", "temporary_stay"),
    ("Genoptræning start", "rehab_start"),
    ("Genoptræning slut", "rehab_end"),
    ("Afslutning", "closure"),
    ("Indflytning", "homecare_start"),
)
ACTIVITY_NAMES = tuple(a[0] for a in ACTIVITIES)
ACTIVITY_TYPE = tuple(a[1] for a in ACTIVITIES)
A = {name: code for code, name in enumerate(ACTIVITY_NAMES)}

#: Resource (role) recorded for each activity; municipal assessments made while the
#: citizen is still in hospital are recorded at the hospital unit by this role.
RESOURCE_OF_ACTIVITY = {
    "Lægekonsultation": "Praktiserende læge",
    "Akut kontakt": "Læge",
    "Henvisning": "Læge",
    "Henvisning modtaget": "Sekretær",
    "Afslag": "Visitator",
    "Visitation": "Visitator",
    "Førstegangssamtale": "Behandler",
    "Udredning start": "Behandler",
    "Udredning slut": "Behandler",
    "Diagnostisk konference": "Læge",
    "Behandling start": "Behandler",
    "Ambulant besøg": "Behandler",
    "Indlæggelse": "Læge",
    "Overflytning": "Sygeplejerske",
    "Færdigmeldt": "Læge",
    "Varsling": "Sygeplejerske",
    "Udskrivning": "Sygeplejerske",
    "Epikrise": "Læge",
    "Plejeforløbsplan": "Sygeplejerske",
    "Kommunal visitation": "Kommunal visitator",
    "Hjemmepleje start": "Hjemmehjælper",
    "Hjemmesygepleje start": "Hjemmesygeplejerske",
    "Midlertidigt ophold": "Sygeplejerske",
    "Genoptræning start": "Fysioterapeut",
    "Genoptræning slut": "Fysioterapeut",
    "Afslutning": "Behandler",
    "Indflytning": "Plejepersonale",
}
RESOURCE_NAMES = tuple(sorted(set(RESOURCE_OF_ACTIVITY.values())))
RESOURCE_CODE_OF_ACTIVITY = np.array(
    [RESOURCE_NAMES.index(RESOURCE_OF_ACTIVITY[a]) for a in ACTIVITY_NAMES], dtype=np.int16)

# --- municipalities and health clusters (illustrative; weights ~ population) ----------
MUNICIPALITIES: tuple[tuple[str, str, int], ...] = (
    ("Aarhus", "Sundhedsklynge Aarhus", 367),
    ("Skanderborg", "Sundhedsklynge Aarhus", 64),
    ("Odder", "Sundhedsklynge Aarhus", 23),
    ("Samsø", "Sundhedsklynge Aarhus", 4),
    ("Randers", "Sundhedsklynge Randers", 99),
    ("Favrskov", "Sundhedsklynge Randers", 49),
    ("Norddjurs", "Sundhedsklynge Randers", 37),
    ("Syddjurs", "Sundhedsklynge Randers", 44),
    ("Viborg", "Sundhedsklynge Viborg", 97),
    ("Skive", "Sundhedsklynge Viborg", 46),
    ("Herning", "Sundhedsklynge Gødstrup", 90),
    ("Holstebro", "Sundhedsklynge Gødstrup", 59),
    ("Ikast-Brande", "Sundhedsklynge Gødstrup", 42),
    ("Ringkøbing-Skjern", "Sundhedsklynge Gødstrup", 56),
    ("Horsens", "Sundhedsklynge Horsens", 98),
    ("Hedensted", "Sundhedsklynge Horsens", 47),
    ("Næstved", "Sundhedsklynge Næstved", 84),
    ("Vordingborg", "Sundhedsklynge Næstved", 46),
    ("Faxe", "Sundhedsklynge Næstved", 38),
    ("Slagelse", "Sundhedsklynge Slagelse", 80),
    ("Sorø", "Sundhedsklynge Slagelse", 30),
)
MUNICIPALITY_NAMES = tuple(m[0] for m in MUNICIPALITIES)
CLUSTER_OF_MUNICIPALITY = tuple(m[1] for m in MUNICIPALITIES)
MUNICIPALITY_WEIGHTS = np.array([m[2] for m in MUNICIPALITIES], dtype=float)
MUNICIPALITY_WEIGHTS /= MUNICIPALITY_WEIGHTS.sum()
