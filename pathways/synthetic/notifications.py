"""The municipal side of the synthetic pathways: MedCom HospitalNotification messages, with ground truth.

:func:`hospital_notifications` turns the hospital stays of a :class:`~pathways.synthetic.SyntheticLog`
(each admission up to the case's next discharge) into the HospitalNotification messages the
patient's municipality receives: FHIR R4 message Bundles shaped as the standard's examples
(``MessageHeader``, ``Patient`` with a CPR identifier, ``Encounter`` with its period and the
leave-period extension, the sending, receiving and serving ``Organization`` with SOR id and GLN,
and the message's ``Provenance`` with its activity code, preceded by the Provenances of the stay's
earlier messages, as MedCom's examples do). Every stay is one Encounter; the sender is the
hospital of the patient's health cluster (psychiatric units: the region's psychiatry).

Ground truth, per event (``truth.events``), and how it is drawn (all vectorised, numpy):

* **leave**: an inpatient stay of four days or more gets a leave at home with probability
  ``leave_share`` (start on a day of the stay between 10:00 and 16:00, end 6 to 36 hours later,
  at least 6 hours before the discharge).
* **delay** (``notified_at - event_at``): per sender, with probability ``SENDERS[...].p_slow`` the
  message waits in a queue, uniform between 1 and 72 hours; otherwise it leaves at once, after a
  log-normal time with median 2 minutes (``exp(N(log 120 s, 1))``).
* **missing**: per sender, with probability ``p_missing`` an event is never notified.
* **revised**: with probability ``revise_share`` an admission or discharge is first notified
  with a wrong time (5 to 120 minutes off, either way) and corrected by a ``revise-*`` message
  10 minutes to 6 hours later (before the stay's next message).
* **duplicate**: with probability ``duplicate_share`` a message arrives twice (the same
  MessageHeader id), the copy 1 minute to 12 hours later.
* **cancelled**: ``cancel_share`` times the number of stays, admissions registered in error on a
  random patient (``admit-inpatient``, then ``cancel-admit-inpatient`` with the Encounter
  ``entered-in-error`` 30 minutes to 24 hours later); they are no event of the log.

CPR numbers are synthetic substitute numbers (day of birth + 60, which no person's CPR
number has) and the names ``Syntetisk``; nothing here describes a real person.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import OptionError

TZ = "Europe/Copenhagen"
VERSION = 1
CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
GLN_SYSTEM = "https://www.gs1.org/gln"
ACTIVITY_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
EVENT_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes"
USE_SYSTEM = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse"
USE_EXTENSION = "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension"
LEAVE_EXTENSION = ("http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/"
                   "medcom-hospitalnotifiation-leave-period-extension")
MESSAGE_PROFILE = ("http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/"
                   "medcom-hospitalNotification-message")
CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
BASE = "https://medcomfhir.dk/ig/hospitalnotification"

#: The sending hospital of a health cluster, and of its psychiatric units.
HOSPITAL_OF_CLUSTER = {
    "Sundhedsklynge Aarhus": ("Aarhus Universitetshospital", "Psykiatrien Region Midtjylland"),
    "Sundhedsklynge Randers": ("Regionshospitalet Randers", "Psykiatrien Region Midtjylland"),
    "Sundhedsklynge Viborg": ("Regionshospitalet Viborg", "Psykiatrien Region Midtjylland"),
    "Sundhedsklynge Gødstrup": ("Regionshospitalet Gødstrup", "Psykiatrien Region Midtjylland"),
    "Sundhedsklynge Horsens": ("Regionshospitalet Horsens", "Psykiatrien Region Midtjylland"),
    "Sundhedsklynge Næstved": ("Næstved Sygehus", "Psykiatrien Region Sjælland"),
    "Sundhedsklynge Slagelse": ("Slagelse Sygehus", "Psykiatrien Region Sjælland"),
}
#: Per sender: (share of messages that wait in a queue 1-72 h, share of events never notified).
SENDERS = {
    "Aarhus Universitetshospital": (0.02, 0.01),
    "Regionshospitalet Randers": (0.20, 0.03),
    "Regionshospitalet Viborg": (0.04, 0.02),
    "Regionshospitalet Gødstrup": (0.04, 0.02),
    "Regionshospitalet Horsens": (0.05, 0.02),
    "Næstved Sygehus": (0.06, 0.05),
    "Slagelse Sygehus": (0.04, 0.02),
    "Psykiatrien Region Midtjylland": (0.12, 0.04),
    "Psykiatrien Region Sjælland": (0.10, 0.04),
}
OTHER_HOSPITAL = ("Regionshospitalet", "Psykiatrien")
DEFAULT_PROFILE = (0.05, 0.02)
CODES = {  # (event_type, class) -> activity code
    ("admission", "inpatient"): "admit-inpatient", ("admission", "emergency"): "admit-emergency",
    ("leave_start", "inpatient"): "start-leave-inpatient", ("leave_end", "inpatient"): "end-leave-inpatient",
    ("discharge", "inpatient"): "discharge-inpatient-home", ("discharge", "emergency"): "discharge-emergency-home",
}
TRUTH_COLUMNS = ["case_id", "cpr", "encounter", "event_type", "activity", "sender", "receiver", "unit", "event_at",
                 "notified_at", "delay_hours", "missing", "revised", "reported_at", "duplicate", "cancelled"]
_TIMES = ("event_at", "notified_at", "reported_at")


@dataclass
class NotificationTruth:
    """Ground truth of a notification stream: ``events`` (one row per event the stream is about).

    ``events`` columns: ``case_id`` (the synthetic log's), ``cpr`` (synthetic), ``encounter``
    (the Encounter id), ``event_type``, ``activity`` (the MedCom code), ``sender``, ``receiver``,
    ``unit``, ``event_at`` (true time), ``notified_at`` (the first message's Provenance.recorded;
    empty when ``missing``), ``delay_hours``, ``missing``, ``revised`` (first reported at
    ``reported_at``, then corrected), ``duplicate`` (its first message arrived twice) and
    ``cancelled`` (an admission registered in error and cancelled: no event of the log).
    Times are local (Europe/Copenhagen).
    """

    events: pd.DataFrame
    params: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        e = self.events
        return (f"NotificationTruth({len(e):,} events: {int(e['missing'].sum())} missing, "
                f"{int(e['revised'].sum())} revised, {int(e['duplicate'].sum())} duplicated, "
                f"{int(e['cancelled'].sum())} cancelled)")

    def to_json(self, path) -> None:
        """Write ``{"params":..., "tables": {"events": {columns, data}}}`` (times ISO 8601 with offset)."""
        d = self.events.copy()
        for c in _TIMES:
            d[c] = _iso(d[c]).astype(object).where(d[c].notna(), None)
        d["delay_hours"] = d["delay_hours"].round(6)
        d = d.astype(object).where(d.notna(), None)
        out = {"params": self.params, "tables": {"events": {"columns": list(d.columns),
                                                            "data": d.to_numpy().tolist()}}}
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")

    @classmethod
    def from_json(cls, path) -> "NotificationTruth":
        """Read what :meth:`to_json` wrote."""
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
        t = raw["tables"]["events"]
        df = pd.DataFrame(t["data"], columns=t["columns"])
        for c in _TIMES:
            df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert(TZ)
        df["delay_hours"] = df["delay_hours"].astype("float64")
        return cls(df, params=raw.get("params", {}))


@dataclass
class NotificationStream:
    """What :func:`hospital_notifications` returns: ``lines`` (one Bundle per line, in arrival order) and ``truth``."""

    lines: pd.Series
    truth: NotificationTruth
    params: dict

    def __repr__(self) -> str:
        return f"NotificationStream({len(self.lines):,} messages; {self.truth!r})"

    def to_ndjson(self, path) -> Path:
        """Write the messages, one Bundle per line (gzip when ``path`` ends in ``.gz``, reproducibly)."""
        path = Path(path)
        data = ("\n".join(self.lines.tolist()) + "\n").encode("utf-8")
        if path.suffix == ".gz":
            with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
                fh.write(data)
        else:
            path.write_bytes(data)
        return path


# --- helpers ------------------------------------------------------------------------------------
def _uuids(rng, n: int) -> np.ndarray:
    """``n`` random version-4 UUIDs as text (numpy, no loop per value)."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    lut = np.array([f"{i:02x}" for i in range(256)], dtype=object)
    h = lut[b]
    parts = [reduce(np.add, [h[:, i] for i in range(a, z)]) for a, z in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 16))]
    return reduce(lambda x, y: x + "-" + y, parts) if n else np.array([], dtype=object)


def _iso(ts: pd.Series) -> pd.Series:
    """Aware times as FHIR dateTime text with the local offset (``2024-01-02T10:00:00+01:00``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    local = pd.Series(ts).dt.tz_convert(TZ)
    wall = local.dt.tz_localize(None)
    text = pc.strftime(pa.array(wall.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S").to_pandas()
    hours = ((wall - local.dt.tz_convert("UTC").dt.tz_localize(None)) / pd.Timedelta(hours=1)).to_numpy()
    offset = np.where(hours >= 2, "+02:00", "+01:00")  # Copenhagen: CET or CEST
    return pd.Series(text.fillna("").to_numpy(dtype=object) + offset, index=local.index).where(local.notna())


def _codes(event_type: pd.Series, klass: pd.Series) -> pd.Series:
    """The MedCom activity code of each (event type, encounter class) pair (see :data:`CODES`)."""
    key = event_type.reset_index(drop=True).astype(str) + "|" + klass.reset_index(drop=True).astype(str)
    return key.map({f"{e}|{c}": code for (e, c), code in CODES.items()})


def _q(s) -> pd.Series:
    """Text values as JSON strings (quoted and escaped)."""
    return pd.Series(s).astype(str).map(json.dumps)


def _digits(rng, n: int, k: int, first: str) -> np.ndarray:
    return first + pd.Series(rng.integers(0, 10 ** (k - len(first)), n)).astype(str).str.zfill(
        k - len(first)).to_numpy()


def _organisations(names, kind: str, rng) -> pd.DataFrame:
    """One Organization per name: id, SOR id and GLN (synthetic, stable for a seed)."""
    names = sorted(set(names))
    n = len(names)
    return pd.DataFrame({"name": names, "id": _uuids(rng, n), "sor": _digits(rng, n, 15, "9" if kind == "m" else "1"),
                         "gln": _digits(rng, n, 13, "579")}).set_index("name")


def _local(s: pd.Series) -> pd.Series:
    """The synthetic log's naive local times as Copenhagen times (the repeated autumn hour: summer time)."""
    return pd.Series(s).dt.tz_localize(TZ, ambiguous=np.ones(len(s), bool), nonexistent="shift_forward")


# --- stays and events -----------------------------------------------------------------------------
def _stays(events: pd.DataFrame) -> pd.DataFrame:
    """Each admission with the case's next discharge before its next admission (if any)."""
    from ..schema import EVENT_TYPES

    adm_names = set(EVENT_TYPES["admission"][0]) | set(EVENT_TYPES["admission"][1])
    dis_names = set(EVENT_TYPES["discharge"][0]) | set(EVENT_TYPES["discharge"][1])
    act = events["activity"].astype(str).str.strip().str.lower()
    e = events.assign(_a=act.isin(adm_names), _d=act.isin(dis_names))
    e = e[(e["_a"] | e["_d"]) & e["timestamp"].notna()].sort_values(["case_id", "timestamp"], kind="stable")
    e = e.assign(_stay=e.groupby("case_id")["_a"].cumsum())
    e = e[e["_stay"] > 0]
    a = e[e["_a"]].groupby(["case_id", "_stay"], sort=True).first()
    d = e[e["_d"]].groupby(["case_id", "_stay"], sort=True).first()
    s = a[["timestamp", "unit", "cluster", "municipality", "birth_date"]].rename(
        columns={"timestamp": "admitted", "unit": "adm_unit"})
    s = s.join(d[["timestamp", "unit"]].rename(columns={"timestamp": "discharged", "unit": "dis_unit"}))
    return s.reset_index()


def hospital_notifications(syn, *, seed: int = 0, leave_share: float = 0.15, revise_share: float = 0.05,
                           duplicate_share: float = 0.03, cancel_share: float = 0.02) -> NotificationStream:
    """The HospitalNotification messages the municipalities receive about the stays of ``syn``.

    Parameters
    ----------
    syn : SyntheticLog
        From :func:`pathways.synthetic.generate`.
    seed : int
        Seed of the notification draws (the stays come from ``syn``).
    leave_share, revise_share, duplicate_share, cancel_share : float
        See the module notes; the per-sender delays and missing shares are :data:`SENDERS`.

    Returns
    -------
    NotificationStream
        ``lines`` (FHIR JSON Bundles, in the order they arrive), ``truth``, ``to_ndjson(path)``.

    Examples
    --------
    >>> from pathways.synthetic import generate
    >>> from pathways.synthetic.notifications import hospital_notifications
    >>> stream = hospital_notifications(generate(50, seed=1), seed=1)
    >>> import json; json.loads(stream.lines.iloc[0])["type"]
    'message'
    """
    for name, v in dict(leave_share=leave_share, revise_share=revise_share, duplicate_share=duplicate_share,
                        cancel_share=cancel_share).items():
        if not 0 <= v <= 1:
            raise OptionError(f"{name}={v!r} must be a share between 0 and 1 (e.g. 0.05).")
    rng = np.random.default_rng(seed)
    stays = _stays(syn.events)
    n_s = len(stays)
    # spurious admissions, registered in error on a random patient and cancelled
    n_c = int(round(cancel_share * n_s))
    if n_c:
        pick = stays.iloc[rng.integers(0, n_s, n_c)].reset_index(drop=True)
        lo, hi = stays["admitted"].min().value, stays["admitted"].max().value
        at = pd.to_datetime(rng.integers(lo // 60_000_000_000, hi // 60_000_000_000, n_c) * 60_000_000_000)
        spurious = pick.assign(admitted=at.astype(stays["admitted"].dtype), discharged=pd.NaT,
                               dis_unit=None, _cancelled=True)
        stays = pd.concat([stays.assign(_cancelled=False), spurious], ignore_index=True)
    else:
        stays = stays.assign(_cancelled=False)
    n_s = len(stays)
    emergency = stays["adm_unit"].str.contains("Akutmodtagelse") & (stays["dis_unit"] == stays["adm_unit"])
    stays["klass"] = np.where(emergency, "emergency", "inpatient")
    psych = stays["adm_unit"].str.startswith("Psykiatrisk")
    hosp = stays["cluster"].map(lambda c: HOSPITAL_OF_CLUSTER.get(c, OTHER_HOSPITAL))
    stays["sender"] = np.where(psych, hosp.str[1], hosp.str[0])
    stays["receiver"] = stays["municipality"].astype(str) + " Kommune"
    stays["encounter"] = _uuids(rng, n_s)
    stays["episode"] = _uuids(rng, n_s)
    admitted, discharged = _local(stays["admitted"]), _local(stays["discharged"])
    # leaves at home during long inpatient stays
    days = (discharged - admitted) / pd.Timedelta(days=1)
    leave = (rng.random(n_s) < leave_share) & (stays["klass"] == "inpatient").to_numpy() & (days >= 4).to_numpy() \
        & ~stays["_cancelled"].to_numpy()
    day = np.floor(rng.random(n_s) * np.maximum(days.fillna(0).to_numpy() - 2, 1)) + 1
    l_start = (admitted.dt.normalize() + pd.to_timedelta(day, "D")
               + pd.to_timedelta(rng.integers(600, 960, n_s), "min"))
    l_end = l_start + pd.to_timedelta(rng.integers(6 * 60, 36 * 60, n_s), "min")
    l_end = l_end.where(l_end <= discharged - pd.Timedelta(hours=6), discharged - pd.Timedelta(hours=6))
    leave &= (l_start > admitted).to_numpy() & (l_end > l_start).to_numpy()
    # the events (one row per stay and event type)
    parts = [pd.DataFrame({"stay": np.arange(n_s), "event_type": "admission", "event_at": admitted})]
    idx = np.flatnonzero(leave)
    parts += [pd.DataFrame({"stay": idx, "event_type": "leave_start", "event_at": l_start.iloc[idx].to_numpy()}),
              pd.DataFrame({"stay": idx, "event_type": "leave_end", "event_at": l_end.iloc[idx].to_numpy()})]
    idx = np.flatnonzero(discharged.notna().to_numpy())
    parts.append(pd.DataFrame({"stay": idx, "event_type": "discharge", "event_at": discharged.iloc[idx].to_numpy()}))
    ev = pd.concat(parts, ignore_index=True)
    ev["event_at"] = pd.to_datetime(ev["event_at"], utc=True).dt.tz_convert(TZ)
    ev = ev.sort_values(["stay", "event_at"], kind="stable").reset_index(drop=True)
    st = stays.iloc[ev["stay"].to_numpy()].reset_index(drop=True)
    n = len(ev)
    sender = stays["sender"].iloc[ev["stay"].to_numpy()]
    profile = np.column_stack([sender.map({k: v[i] for k, v in SENDERS.items()}).fillna(DEFAULT_PROFILE[i])
                               .to_numpy(float) for i in (0, 1)])
    cancelled = st["_cancelled"].to_numpy()
    missing = (rng.random(n) < profile[:, 1]) & ~cancelled
    slow = rng.random(n) < profile[:, 0]
    fast_s = np.exp(rng.normal(np.log(120.0), 1.0, n))
    slow_s = rng.uniform(3600.0, 72 * 3600.0, n)
    delay_s = np.round(np.where(slow, slow_s, fast_s))
    ev["notified_at"] = ev["event_at"] + pd.to_timedelta(delay_s, "s")
    # revisions: the first message has a wrong time, a revise-* message follows before the stay's next message
    sent = ~missing
    order = ev[sent].sort_values(["stay", "notified_at"], kind="stable")
    nxt = order.groupby("stay")["notified_at"].shift(-1).reindex(ev.index)  # the stay's next message sent
    rev_after = pd.to_timedelta(rng.integers(10, 6 * 60, n), "min")
    revised = sent & ~cancelled & ev["event_type"].isin(["admission", "discharge"]).to_numpy() \
        & (rng.random(n) < revise_share) & ((nxt.isna()) | (nxt > ev["notified_at"] + rev_after)).to_numpy()
    off = rng.integers(5, 121, n) * np.where(rng.random(n) < 0.5, -1, 1)
    ev["reported_at"] = (ev["event_at"] + pd.to_timedelta(off, "min")).where(revised)
    ev["revised_at"] = (ev["notified_at"] + rev_after).where(revised)
    ev["revised"] = revised
    ev["missing"] = missing
    ev["duplicate"] = sent & (rng.random(n) < duplicate_share)
    ev["cancelled"] = cancelled
    # --- the messages ---------------------------------------------------------------------------
    orgs_rng = np.random.default_rng([seed, 1])
    hospitals = _organisations(stays["sender"], "h", orgs_rng)
    units = _organisations(pd.concat([stays["adm_unit"], stays["dis_unit"]]).dropna(), "u", orgs_rng)
    towns = _organisations(stays["receiver"], "m", orgs_rng)
    cases = pd.Index(sorted(stays["case_id"].unique()))
    serial = pd.Series(np.arange(len(cases)) % 10_000, index=cases)
    born = stays.groupby("case_id")["birth_date"].first().reindex(cases)
    cpr = pd.Series((born.dt.day + 60).astype(str).str.zfill(2) + born.dt.strftime("%m%y")
                    + serial.astype(str).str.zfill(4), index=cases)
    patient_id = pd.Series(_uuids(orgs_rng, len(cases)), index=cases)
    m = ev[sent].reset_index(drop=True).assign(kind="event")
    r = ev[revised].reset_index(drop=True).assign(kind="revise", notified_at=lambda x: x["revised_at"])
    c = ev[cancelled & sent].reset_index(drop=True).assign(kind="cancel")
    c["notified_at"] = c["notified_at"] + pd.to_timedelta(rng.integers(30, 24 * 60, len(c)), "min")
    msg = pd.concat([m, r, c], ignore_index=True).sort_values(["stay", "notified_at"], kind="stable")
    msg = msg.reset_index(drop=True)
    k = len(msg)
    ms = stays.iloc[msg["stay"].to_numpy()].reset_index(drop=True)
    msg["header"] = _uuids(rng, k)
    msg["bundle"] = _uuids(rng, k)
    msg["prov"] = _uuids(rng, k)
    code = _codes(msg["event_type"], ms["klass"])
    code = np.where(msg["kind"] == "revise", "revise-" + code, np.where(msg["kind"] == "cancel", "cancel-" + code,
                                                                        code))
    recorded = _iso(msg["notified_at"])
    prev_header = msg.groupby("stay")["header"].shift(1)
    role = np.where(msg["kind"] == "cancel", "removal", "revision")
    entity = np.where(prev_header.notna(), ',"entity":[{"role":"' + pd.Series(role) + '","what":{"reference":'
                      '"MessageHeader/' + prev_header.fillna("") + '"}}]', "")
    sender_org = hospitals.loc[ms["sender"]].reset_index(drop=True)
    prov = ('{"fullUrl":"' + BASE + '/Provenance/' + msg["prov"] + '","resource":{"resourceType":"Provenance",'
            '"id":"' + msg["prov"] + '","target":[{"reference":"MessageHeader/' + msg["header"] + '"}],'
            '"occurredDateTime":"' + recorded + '","recorded":"' + recorded + '","activity":{"coding":[{"system":"'
            + ACTIVITY_SYSTEM + '","code":"' + pd.Series(code) + '"}]},"agent":[{"who":{"reference":"Organization/'
            + sender_org["id"] + '"}}]' + entity + '}}')
    # earlier messages' Provenances of the stay, oldest first
    history = pd.Series("", index=msg.index)
    grp = msg.groupby("stay")
    for lag in range(1, int(grp.size().max()) + 1 if k else 1):
        p = grp["prov"].shift(lag)
        earlier = prov.groupby(msg["stay"]).shift(lag)
        history = np.where(p.notna(), earlier.fillna("") + "," + history, history)
        history = pd.Series(history, index=msg.index)
    # the Encounter as the hospital's system held it when the message was sent
    adm_txt = _iso(_local(ms["admitted"]))
    is_adm = msg["event_type"] == "admission"
    wrong_start = is_adm & (msg["kind"] == "event") & msg["revised"]
    start_txt = np.where(wrong_start, _iso(msg["reported_at"].where(wrong_start, msg["event_at"])), adm_txt)
    is_dis = msg["event_type"] == "discharge"
    wrong_end = is_dis & (msg["kind"] == "event") & msg["revised"]
    end_txt = _iso(msg["reported_at"].where(wrong_end, msg["event_at"]))
    period = '"period":{"start":"' + pd.Series(start_txt) + '"' + np.where(is_dis, ',"end":"' + end_txt + '"', "") + '}'
    leaves = stays.loc[leave, ["encounter"]].assign(ls=_iso(l_start[leave]), le=_iso(l_end[leave]))
    ls = ms["encounter"].map(leaves.set_index("encounter")["ls"])
    le = ms["encounter"].map(leaves.set_index("encounter")["le"])
    after_start = msg["event_type"].isin(["leave_start", "leave_end"])
    leave_ext = np.where(after_start, ',"extension":[{"url":"' + LEAVE_EXTENSION + '","valuePeriod":{"start":"'
                         + ls.fillna("") + '"' + np.where(msg["event_type"] == "leave_end",
                                                          ',"end":"' + le.fillna("") + '"', "") + '}}]', "")
    status = np.select([msg["kind"] == "cancel", msg["event_type"] == "leave_start", is_dis],
                       ["entered-in-error", "onleave", "finished"], "in-progress")
    klass = np.where(ms["klass"] == "emergency", "EMER", "IMP")
    unit_name = np.where(is_dis, ms["dis_unit"].fillna(ms["adm_unit"]), ms["adm_unit"])
    unit_org = units.loc[unit_name].reset_index(drop=True)
    town = towns.loc[ms["receiver"]].reset_index(drop=True)
    pid = patient_id.loc[ms["case_id"]].reset_index(drop=True)
    pcpr = cpr.loc[ms["case_id"]].reset_index(drop=True)
    encounter = ('{"fullUrl":"' + BASE + '/Encounter/' + ms["encounter"] + '","resource":{"resourceType":"Encounter",'
                 '"id":"' + ms["encounter"] + '"' + pd.Series(leave_ext) + ',"status":"' + pd.Series(status)
                 + '","class":{"system":"' + CLASS_SYSTEM + '","code":"' + pd.Series(klass) + '"},'
                 '"subject":{"reference":"Patient/' + pid + '"},"episodeOfCare":[{"identifier":{"system":'
                 '"https://sor2.sum.dsdn.dk/#id=' + sender_org["sor"] + '","value":"' + ms["episode"] + '"}}],'
                 + period + ',"serviceProvider":{"reference":"Organization/' + unit_org["id"] + '"}}}')
    patient = ('{"fullUrl":"' + BASE + '/Patient/' + pid + '","resource":{"resourceType":"Patient","id":"' + pid
               + '","identifier":[{"system":"' + CPR_SYSTEM + '","value":"' + pcpr + '"}],"name":[{"use":"official",'
               '"family":"Syntetisk"}]}}')

    def org(o, names):
        return ('{"fullUrl":"' + BASE + '/Organization/' + o["id"] + '","resource":{"resourceType":"Organization",'
                '"id":"' + o["id"] + '","identifier":[{"system":"' + SOR_SYSTEM + '","value":"' + o["sor"]
                + '"},{"system":"' + GLN_SYSTEM + '","value":"' + o["gln"] + '"}],"name":' + _q(names) + '}}')

    header = ('{"fullUrl":"' + BASE + '/MessageHeader/' + msg["header"] + '","resource":{"resourceType":'
              '"MessageHeader","id":"' + msg["header"] + '","eventCoding":{"system":"' + EVENT_SYSTEM
              + '","code":"hospital-notification-message"},"destination":[{"extension":[{"url":"' + USE_EXTENSION
              + '","valueCoding":{"system":"' + USE_SYSTEM + '","code":"primary"}}],"endpoint":'
              '"https://sor2.sum.dsdn.dk/#id=' + town["sor"] + '","receiver":{"reference":"Organization/' + town["id"]
              + '"}}],"sender":{"reference":"Organization/' + sender_org["id"] + '"},"source":{"endpoint":'
              '"https://sor2.sum.dsdn.dk/#id=' + sender_org["sor"] + '"},"focus":[{"reference":"Encounter/'
              + ms["encounter"] + '"}]}}')
    stamp = _iso(msg["notified_at"] - pd.Timedelta(seconds=1))
    lines = ('{"resourceType":"Bundle","id":"' + msg["bundle"] + '","meta":{"profile":["' + MESSAGE_PROFILE
             + '"]},"type":"message","timestamp":"' + stamp + '","entry":[' + header + ',' + patient + ','
             + encounter + ',' + org(sender_org, ms["sender"]) + ',' + org(town, ms["receiver"])
             + np.where(unit_name != ms["sender"], ',' + org(unit_org, pd.Series(unit_name)), "")
             + ',' + history + prov + ']}')
    # arrival order: by the time sent; a duplicate arrives again 1 minute to 12 hours later
    dup = (msg["kind"] == "event") & msg["duplicate"]
    arrive = pd.concat([msg["notified_at"], msg["notified_at"][dup]
                        + pd.to_timedelta(rng.integers(1, 12 * 60, int(dup.sum())), "min")])
    out = pd.concat([lines, lines[dup]]).to_frame("line").assign(_at=arrive.to_numpy())
    out = out.sort_values("_at", kind="stable")["line"].reset_index(drop=True)
    # --- the truth ----------------------------------------------------------------------------------
    truth = ev.assign(case_id=st["case_id"].to_numpy(), cpr=cpr.loc[st["case_id"]].to_numpy(),
                      encounter=st["encounter"].to_numpy(), sender=st["sender"].to_numpy(),
                      receiver=st["receiver"].to_numpy(),
                      unit=np.where(ev["event_type"] == "discharge", st["dis_unit"].fillna(st["adm_unit"]),
                                    st["adm_unit"]),
                      activity=_codes(ev["event_type"], st["klass"]).to_numpy())
    truth["notified_at"] = truth["notified_at"].where(~truth["missing"])
    truth["delay_hours"] = ((truth["notified_at"] - truth["event_at"]) / pd.Timedelta(hours=1)).astype("float64")
    truth = truth.sort_values(["case_id", "event_at", "encounter"], kind="stable")[TRUTH_COLUMNS]
    params = dict(version=VERSION, seed=seed, leave_share=leave_share, revise_share=revise_share,
                  duplicate_share=duplicate_share, cancel_share=cancel_share, n_messages=len(out),
                  synthetic=syn.params if hasattr(syn, "params") else {})
    return NotificationStream(out, NotificationTruth(truth.reset_index(drop=True), params=params), params)


__all__ = ["hospital_notifications", "NotificationStream", "NotificationTruth", "SENDERS", "HOSPITAL_OF_CLUSTER"]
