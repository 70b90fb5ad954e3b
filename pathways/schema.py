"""Canonical column names, event types and the activity vocabulary.

Every EventLog stores its events under these canonical names, whatever the
source columns were called. The mapping from source names is made once, when
the log is built.
"""

from __future__ import annotations

# --- canonical columns -------------------------------------------------------
ROW = "row"  # input row number (0-based); breaks ties in time
CASE = "case_id"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
END = "end_timestamp"
UNIT = "unit"
RESOURCE = "resource"
REFERRAL_TO = "referral_to"
# derived at build time
EVENT_TYPE = "event_type"
DOMAIN = "domain"
SECTOR = "sector"

#: The roles a user maps source columns to (argument name -> canonical column).
ROLES: dict[str, str] = {
    "case": CASE,
    "activity": ACTIVITY,
    "timestamp": TIMESTAMP,
    "end_timestamp": END,
    "unit": UNIT,
    "resource": RESOURCE,
    "referral_to": REFERRAL_TO,
}
REQUIRED_ROLES = ("case", "activity", "timestamp")

#: Canonical names that attributes may not use (they would clash).
RESERVED = frozenset({ROW, CASE, ACTIVITY, TIMESTAMP, END, UNIT, RESOURCE, REFERRAL_TO,
                      EVENT_TYPE, DOMAIN, SECTOR})

# --- sectors and domains (DOMAIN.md section 2) -------------------------------
SECTORS = ("region", "municipality", "general_practice", "private", "other", "unknown")
DOMAINS = ("psychiatric", "somatic", "municipal_care", "social", "substance",
           "general_practice", "other", "unknown")

# --- event types (DOMAIN.md section 3) ---------------------------------------
#: event type -> (Danish names, English names). Matching is case-insensitive on
#: the whole activity name after trimming; see ``Vocabulary`` in taxonomy.py.
EVENT_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "referral": (("henvisning", "henvist", "henvisning afsendt", "ny henvisning", "genhenvisning"),
                 ("referral", "referral sent", "re-referral")),
    "referral_received": (("henvisning modtaget", "modtaget henvisning"), ("referral received",)),
    "referral_rejected": (("afslag", "henvisning afvist", "afvist henvisning", "afvist"),
                          ("referral rejected", "rejected")),
    "referral_returned": (("retur", "henvisning retur", "returneret henvisning"),
                          ("referral returned", "returned")),
    "visitation": (("visitation", "visiteret"), ("triage", "visitation")),
    "first_contact": (("førstegangssamtale", "første kontakt", "første samtale"),
                      ("first contact", "first visit")),
    "assessment_start": (("udredning start", "udredning påbegyndt", "start udredning", "udredning"),
                         ("assessment start", "assessment started")),
    "assessment_end": (("udredning slut", "udredning afsluttet", "afsluttet udredning"),
                       ("assessment end", "assessment completed")),
    "diagnosis_conference": (("diagnostisk konference", "diagnosekonference", "mdt-konference"),
                             ("diagnosis conference", "multidisciplinary team meeting")),
    "treatment_start": (("behandling start", "start behandling", "behandlingsstart", "behandling påbegyndt"),
                        ("treatment start", "treatment started")),
    "admission": (("indlæggelse", "akut indlæggelse", "planlagt indlæggelse", "tvangsindlæggelse",
                   "indlagt", "admit-inpatient"),
                  ("admission", "acute admission", "planned admission", "involuntary admission")),
    "transfer": (("overflytning", "overflyttet"), ("transfer", "transferred")),
    "ready_for_discharge": (("færdigmeldt", "færdigbehandlet", "udskrivningsklar"),
                            ("ready for discharge", "medically fit")),
    "discharge_notice": (("varsling", "udskrivningsvarsel", "varsel om udskrivning"),
                         ("discharge notice", "notice of discharge")),
    "discharge": (("udskrivning", "udskrevet", "discharge-inpatient"), ("discharge", "discharged")),
    # a leave of absence during an admission (MedCom HospitalNotification: STOR / SLOR)
    "leave_start": (("orlov start", "start orlov", "start-leave-inpatient"), ("leave start", "start of leave")),
    "leave_end": (("orlov slut", "slut orlov", "end-leave-inpatient"), ("leave end", "end of leave")),
    "outpatient_visit": (("ambulant besøg", "ambulant kontakt", "ambulant samtale", "kontrol"),
                         ("outpatient visit", "outpatient contact", "follow-up visit")),
    "discharge_letter": (("epikrise",), ("discharge letter", "discharge summary")),
    "care_plan": (("plejeforløbsplan", "genoptræningsplan"), ("care plan", "rehabilitation plan")),
    "municipal_assessment": (("kommunal visitation", "visitation til hjemmepleje", "bevillingsmøde"),
                             ("municipal assessment", "needs assessment")),
    "homecare_start": (("hjemmepleje start", "opstart hjemmepleje", "hjemmesygepleje start", "indflytning"),
                       ("home care start", "homecare start")),
    "rehab_start": (("genoptræning start", "start genoptræning"), ("rehabilitation start", "rehab start")),
    "rehab_end": (("genoptræning slut", "genoptræning afsluttet"), ("rehabilitation end", "rehab end")),
    "temporary_stay": (("midlertidigt ophold", "midlertidig plads", "korttidsplads", "akutplads"),
                       ("temporary stay", "short-term stay")),
    "gp_contact": (("lægekonsultation", "konsultation hos egen læge", "egen læge kontakt"),
                   ("gp contact", "gp visit")),
    "emergency_contact": (("akut kontakt", "vagtlægekontakt", "1813-opkald", "112-opkald"),
                          ("emergency contact", "emergency call", "out-of-hours contact")),
    "closure": (("afslutning", "forløb afsluttet", "afsluttet"), ("closure", "closed", "case closed")),
    "death": (("død", "dødsfald"), ("death", "died")),
}

#: event type used for an activity no vocabulary entry matches
UNKNOWN_EVENT_TYPE = "other"
