"""The synthetic HospitalNotification stream: message shape (the standard's examples), ground truth, draws."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from pathways import datasets
from pathways.errors import OptionError
from pathways.synthetic import generate
from pathways.synthetic.notifications import (CPR_SYSTEM, SENDERS, NotificationTruth, hospital_notifications)


@pytest.fixture(scope="module")
def stream():
    return hospital_notifications(generate(400, seed=11), seed=5)


def _messages(lines) -> pd.DataFrame:
    """One row per line: header id, its own Provenance's code and recorded, the Encounter, all Provenances."""
    rows = []
    for text in lines:
        b = json.loads(text)
        res = [e["resource"] for e in b["entry"]]
        kinds = [r["resourceType"] for r in res]
        header = next(r for r in res if r["resourceType"] == "MessageHeader")
        own = [r for r in res if r["resourceType"] == "Provenance"
               and r["target"][0]["reference"] == f"MessageHeader/{header['id']}"]
        enc = next(r for r in res if r["resourceType"] == "Encounter")
        pat = next(r for r in res if r["resourceType"] == "Patient")
        urls = {e["fullUrl"].rsplit("/", 2)[-2] + "/" + e["fullUrl"].rsplit("/", 1)[-1] for e in b["entry"]}
        refs = [header["sender"]["reference"], header["destination"][0]["receiver"]["reference"],
                header["focus"][0]["reference"], enc["serviceProvider"]["reference"], enc["subject"]["reference"]]
        rows.append(dict(bundle_type=b["type"], header=header["id"], n_own=len(own), kinds=kinds,
                         code=own[0]["activity"]["coding"][0]["code"], recorded=own[0]["recorded"],
                         encounter=enc["id"], status=enc["status"], period=enc["period"],
                         leave=(enc.get("extension") or [{}])[0].get("valuePeriod"), cpr=pat["identifier"],
                         resolved=all(r in urls for r in refs), n_prov=kinds.count("Provenance")))
    return pd.DataFrame(rows)


def test_every_line_is_a_hospitalnotification_message_as_in_the_standard(stream):
    m = _messages(stream.lines)
    assert (m["bundle_type"] == "message").all() and (m["n_own"] == 1).all() and m["resolved"].all()
    for kinds in m["kinds"]:  # one header, one patient, one encounter, 3 organisations, >= 1 provenance
        assert kinds[:3] == ["MessageHeader", "Patient", "Encounter"] and kinds.count("Organization") == 3
    # CPR identifiers only, synthetic: day of birth + 60 (a substitute number no person has)
    cprs = [i for ids in m["cpr"] for i in ids]
    assert {i["system"] for i in cprs} == {CPR_SYSTEM}
    assert all(len(i["value"]) == 10 and 61 <= int(i["value"][:2]) <= 91 for i in cprs)
    # each message carries the Provenances of the stay's earlier messages (MedCom's examples do)
    first = m.drop_duplicates("header").groupby("encounter").cumcount() + 1
    assert (m.drop_duplicates("header")["n_prov"] == first).all()
    # the Encounter's state follows the activity code (MedCom's overview of codes)
    expected = {"admit-inpatient": "in-progress", "admit-emergency": "in-progress", "start-leave-inpatient": "onleave",
                "end-leave-inpatient": "in-progress", "discharge-inpatient-home": "finished",
                "discharge-emergency-home": "finished", "cancel-admit-inpatient": "entered-in-error",
                "revise-admit-inpatient": "in-progress", "revise-admit-emergency": "in-progress",
                "revise-discharge-inpatient-home": "finished", "revise-discharge-emergency-home": "finished"}
    assert (m["status"] == m["code"].map(expected)).all()
    leaves = m[m["code"] == "end-leave-inpatient"]
    assert len(leaves) and all(lp["start"] < lp["end"] for lp in leaves["leave"])


def test_the_truth_matches_the_messages(stream):
    e, m = stream.truth.events, _messages(stream.lines)
    recorded = pd.to_datetime(m["recorded"], utc=True)
    # every message once per MessageHeader id, the duplicates twice
    counts = m["header"].value_counts()
    sent = e[~e["missing"]]
    n_unique = len(sent) + int(e["revised"].sum()) + int(e["cancelled"].sum())
    assert len(counts) == n_unique and len(m) == n_unique + int(e["duplicate"].sum())
    assert (counts > 1).sum() == int(e["duplicate"].sum())
    # the first message of each sent event: its code and time are the truth's
    own = m.assign(recorded=recorded).drop_duplicates("header")
    own = own[~own["code"].str.startswith(("revise-", "cancel-"))]
    key = own.set_index(["encounter", "code"])["recorded"].sort_index()
    truth = sent.set_index(["encounter", "activity"])["notified_at"].dt.tz_convert("UTC").sort_index()
    assert key.index.equals(truth.index) and (key.to_numpy() == truth.to_numpy()).all()
    # a revised event: its first message shows the wrong time, the revise-* message the true one
    rev = e[e["revised"]].iloc[0]
    msgs = m[m["encounter"] == rev["encounter"]]
    field = "start" if rev["event_type"] == "admission" else "end"
    shown = [pd.Timestamp(p[field]) for p, c in zip(msgs["period"], msgs["code"]) if c == rev["activity"]]
    fixed = [pd.Timestamp(p[field]) for p, c in zip(msgs["period"], msgs["code"]) if c == "revise-" + rev["activity"]]
    assert shown[0] == rev["reported_at"] != rev["event_at"] and fixed == [rev["event_at"]]
    # missing events have no message at all; delays are the truth's notified - event
    assert not set(e[e["missing"]]["encounter"] + e[e["missing"]]["activity"]) & set(m["encounter"] + m["code"])
    d = (sent["notified_at"] - sent["event_at"]) / pd.Timedelta(hours=1)
    assert np.allclose(d, sent["delay_hours"]) and (sent["delay_hours"] >= 0).all()


def test_draws_follow_the_stated_distributions():
    e = hospital_notifications(generate(4000, seed=2), seed=9).truth.events
    e = e[~e["cancelled"]]
    fast = e[e["delay_hours"] < 1]
    assert fast["delay_hours"].median() * 60 == pytest.approx(2.0, rel=0.1)  # exp(N(log 120 s, 1))
    tested = 0
    for sender, (p_slow, p_missing) in SENDERS.items():
        s = e[e["sender"] == sender]
        if len(s) < 1500:
            continue
        n, tested = len(s), tested + 1
        assert abs(s["missing"].mean() - p_missing) < 4 * np.sqrt(p_missing * (1 - p_missing) / n)
        slow = (s.loc[~s["missing"], "delay_hours"] >= 1).mean()
        assert abs(slow - p_slow) < 4 * np.sqrt(p_slow * (1 - p_slow) / n) + 0.002
    assert tested >= 1 and e.loc[~e["missing"], "delay_hours"].max() <= 72


def test_same_seed_same_messages_and_options_are_checked():
    syn = generate(60, seed=4)
    a, b = hospital_notifications(syn, seed=1), hospital_notifications(syn, seed=1)
    assert a.lines.equals(b.lines)
    assert not a.lines.equals(hospital_notifications(syn, seed=2).lines)
    with pytest.raises(OptionError, match="revise_share=1.5 must be a share between 0 and 1"):
        hospital_notifications(syn, revise_share=1.5)


def test_the_bundled_stream_and_its_truth(tmp_path):
    assert datasets.list_samples(messages=True) == ["hospital_notifications"]
    with datasets.sample_path("hospital_notifications") as p:
        assert p.stat().st_size < 1_000_000
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    truth = datasets.load_truth("hospital_notifications")
    assert isinstance(truth, NotificationTruth) and str(truth.events["event_at"].dt.tz) == "Europe/Copenhagen"
    e = truth.events
    assert len(lines) == (~e["missing"]).sum() + e["revised"].sum() + e["cancelled"].sum() + e["duplicate"].sum()
    # the recipe rebuilds it byte for byte
    from pathways.synthetic.samples import END, START, STREAMS

    spec = STREAMS["hospital_notifications"]
    syn = generate(spec["patients"], seed=spec["seed"], start=START, end=END, scenarios=spec["scenarios"])
    again = hospital_notifications(syn, seed=spec["seed"])
    assert again.lines.tolist() == lines
    again.truth.to_json(tmp_path / "t.json")
    with datasets.sample_path("hospital_notifications", kind="truth") as p:
        assert (tmp_path / "t.json").read_bytes() == p.read_bytes()
