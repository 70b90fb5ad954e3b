"""The report's section on hospital notifications: shown only for a log read from notification messages.

A log comes from notifications when its attribute ``notified`` (the time the MedCom
HospitalNotification was sent, written by :func:`pathways.read_fhir`) has a value. The section
states the delays per sending hospital, the late and missing notifications and the readmissions
the municipality heard of late, with :func:`pathways.notification_delays` and
:func:`pathways.notification_summary`; small counts are suppressed as everywhere ("<5").
"""

from __future__ import annotations

import pandas as pd

import pathways as pw

from ..parameters import NOTIFICATION_THRESHOLD
from ..publish.tables import Col, Table, merge_small
from ..publish.words import WORDS
from .blocks import Note, Section
from .sections import Context, _timed


WORDS.update({
    "sec_notifications": {"da": "Sygehusadviser", "en": "Hospital notifications"},
    "nt_finding_1": {"da": "Kommunen fik {n} adviser fra {senders} afsendere. Halvdelen kom inden for {median} efter "
                           "hændelsen; {late_share} kom senere end {late} efter.",
                     "en": "The municipality received {n} notifications from {senders} senders. Half came within "
                           "{median} of the event; {late_share} came later than {late} after it."},
    "nt_finding_2": {"da": "{missing} adviser mangler. Indlæggelser kendt kun fra udskrivningen eller orloven: {adm}; "
                           "indlæggelser uden udskrivning: {dis} (patienten kan stadig være indlagt).",
                     "en": "{missing} notifications are missing. Admissions known only from the discharge or the "
                           "leave: {adm}; admissions without a discharge: {dis} (the patient may still be in "
                           "hospital)."},
    "nt_finding_3": {"da": "Genindlæggelser inden for {within}: {n}; kommunen hørte om {late} af dem senere end {limit} "
                           "efter indlæggelsen.",
                     "en": "Readmissions within {within}: {n}; the municipality heard of {late} of them later than "
                           "{limit} after the admission."},
    "nt_none": {"da": "Loggen har ingen adviser med afsendelsestidspunkt.",
                "en": "The log holds no notifications with a time of sending."},
    "nt_assumption": {"da": "MedComs sundhedsfaglige retningslinjer for sygehusadvis siger, at adviser genereres ved "
                            "tidstro registrering, men sætter ingen frist i timer. Grænsen på {late} for en sen advis "
                            "er en antagelse; forsinkelsen er tiden fra hændelsen til advisens afsendelse "
                            "(Provenance.recorded).",
                      "en": "MedCom's clinical guidelines for HospitalNotification say the messages are generated on "
                            "real-time registration, but set no deadline in hours. The limit of {late} for a late "
                            "notification is an assumption; the delay is the time from the event to the "
                            "notification's sending (Provenance.recorded)."},
    "nt_by_sender": {"da": "Adviser pr. afsender", "en": "Notifications per sender"},
    "nt_by_type": {"da": "Adviser pr. hændelse", "en": "Notifications per event"},
    "c_sender": {"da": "Afsender", "en": "Sender"},
    "c_event": {"da": "Hændelse", "en": "Event"},
    "c_notifications": {"da": "Adviser", "en": "Notifications"},
    "c_received": {"da": "Modtaget", "en": "Received"},
    "c_late": {"da": "Sene", "en": "Late"},
    "c_late_share": {"da": "Andel sene", "en": "Share late"},
    "c_missing": {"da": "Mangler", "en": "Missing"},
    "c_median_delay": {"da": "Median forsinkelse", "en": "Median delay"},
    "c_p90_delay": {"da": "90 %-fraktil", "en": "90th percentile"},
    "c_readm_late": {"da": "Genindlæggelser hørt sent", "en": "Readmissions heard late"},
    "nt_type_admission": {"da": "Indlæggelse", "en": "Admission"},
    "nt_type_leave_start": {"da": "Orlov start", "en": "Leave start"},
    "nt_type_leave_end": {"da": "Orlov slut", "en": "Leave end"},
    "nt_type_discharge": {"da": "Udskrivning", "en": "Discharge"},
    "nt_type_death": {"da": "Død", "en": "Death"},
})


def from_notifications(log) -> bool:
    """Whether ``log`` comes from notification messages (its ``notified`` attribute has a value)."""
    if "notified" not in log.attributes:
        return False
    return bool(log.table.notified.notnull().any().to_pyarrow().as_py())


def sections(log) -> list:
    """The section functions to add to a report of ``log``: this one for a log from notifications, else none."""
    return [notifications] if from_notifications(log) else []


def notifications(ctx: Context) -> Section:
    """Delays per sender, late and missing notifications, readmissions heard of late."""
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_notifications")
    opts = dict(as_of=ctx.as_of if ctx.as_of_given else None, threshold=NOTIFICATION_THRESHOLD)
    d = pw.notification_delays(log, **opts)
    heard = d[d["status"] != "missing"]
    if not len(heard):
        return Section("notifications", title, [t("nt_none")])
    n, n_late = len(heard), int((d["status"] == "late").sum())
    missing = d[d["status"] == "missing"]
    late_words = f.duration(NOTIFICATION_THRESHOLD)
    finding = [t("nt_finding_1", n=f.count(n), senders=f.int(heard["sender"].nunique()),
                 median=f.time(heard["delay_hours"].median() / 24), late_share=f.share(n_late, n), late=late_words)]
    no_adm = int(((missing["event_type"] == "admission") & missing["event_at"].isna()).sum())
    no_dis = int(((missing["event_type"] == "discharge") & missing["event_at"].isna()).sum())
    finding.append(t("nt_finding_2", missing=f.count(len(missing)), adm=f.count(no_adm), dis=f.count(no_dis)))
    readm = d[d["readmission"]]
    if len(readm):
        finding.append(t("nt_finding_3", n=f.count(len(readm)), within=f.duration(d.attrs["parameters"]["within"]),
                         late=f.count(int((readm["status"] == "late").sum())), limit=late_words))
    blocks: list = [Note(t("nt_assumption", late=late_words))]
    cols = [Col("n_events", t("c_notifications"), "count"), Col("n_notified", t("c_received"), "count"),
            Col("median_days", t("c_median_delay"), "days", base="n_notified"),
            Col("p90_days", t("c_p90_delay"), "days", base="n_notified"),
            Col("n_late", t("c_late"), "count"), Col("share_late", t("c_late_share"), "share", of=("n_late", "n_notified")),
            Col("n_missing", t("c_missing"), "count")]
    for by, name, label, extra in (("sender", "notifications_by_sender", t("c_sender"),
                                    [Col("n_readmissions_late", t("c_readm_late"), "count")]),
                                   ("event_type", "notifications_by_event", t("c_event"), [])):
        s = pw.notification_summary(log, by=by, **opts)
        s = s.assign(median_days=s["median_delay_hours"] / 24, p90_days=s["p90_delay_hours"] / 24)
        if by == "event_type":
            s[by] = [t(f"nt_type_{v}") if f"nt_type_{v}" in WORDS else v for v in s[by]]
        s = merge_small(ctx.frame(s.sort_values("n_events", ascending=False, kind="stable")), by="n_events",
                        label=by, other=ctx.other(), add=["n_events", "n_notified", "n_late", "n_missing",
                                                          "n_readmissions_late"])
        blocks.append(_timed(Table(name, t("nt_by_sender" if by == "sender" else "nt_by_type"), s,
                                   [Col(by, label), *cols, *extra]), f))
    return Section("notifications", title, finding, blocks, (n_late / n, finding[0]))


__all__ = ["from_notifications", "sections", "notifications"]
