"""FHIR XML -> the FHIR JSON form, safely: parse_fhir_xml (issue 21).

The strongest check: for every hand-written pair in tests/data/fhir (``x.json`` and its twin ``x.xml``),
and for the pair written out in this file, ``parse_fhir_xml(xml) == json.load(json_twin)``; any array
or primitive-type mistake breaks the equality.
"""

from __future__ import annotations

import gzip
import io
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from pathways.errors import EventLogError, OptionError
from pathways.io._fhir_xml import parse_fhir_xml

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
PAIRS = sorted(p for p in DATA.glob("*.xml") if p.with_suffix(".json").exists())

# MedCom's example 'Start hospital stay - admitted' (STIN, MedComHospitalNotificationMessage.fsh,
# instance a5e5b880-...): MessageHeader b9b4818e-... with reportOfAdmissionFlag, Encounter a790f964-...,
# Patient t33cef33-..., receiver and sender Organizations, Provenance a7cf3888-...
_MEDCOM = "http://medcomfhir.dk/ig"
_BASE = "https://medcomfhir.dk/ig/hospitalnotification/"
STIN_JSON = {
    "resourceType": "Bundle",
    "id": "a5e5b880-c087-4055-b9ec-99108695f81d",
    "meta": {"profile": [f"{_MEDCOM}/hospitalnotification/StructureDefinition/medcom-hospitalNotification-message"]},
    "type": "message",
    "timestamp": "2022-12-07T12:00:01+02:00",
    "entry": [
        {"fullUrl": _BASE + "MessageHeader/b9b4818e-02de-4cc4-b418-d20cbc7b5404",
         "resource": {
             "resourceType": "MessageHeader",
             "id": "b9b4818e-02de-4cc4-b418-d20cbc7b5404",
             "extension": [
                 {"url": f"{_MEDCOM}/hospitalnotification/StructureDefinition/"
                         "medcom-messaging-reportOfAdmissionExtension", "valueBoolean": True},
                 {"url": f"{_MEDCOM}/hospitalnotification/StructureDefinition/"
                         "medcom-messaging-reportOfAdmissionRecipientExtension",
                  "valueReference": {"reference": "Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"}}],
             "eventCoding": {"system": f"{_MEDCOM}/terminology/CodeSystem/medcom-messaging-eventCodes",
                             "code": "hospital-notification-message"},
             "destination": [{
                 "extension": [{"url": f"{_MEDCOM}/messaging/StructureDefinition/"
                                       "medcom-messaging-destinationUseExtension",
                                "valueCoding": {"system": f"{_MEDCOM}/terminology/CodeSystem/"
                                                          "medcom-messaging-destinationUse",
                                                "code": "primary"}}],
                 "endpoint": "https://sor2.sum.dsdn.dk/#id=953741000016009",
                 "receiver": {"reference": "Organization/o4cdf292-abf3-4f5f-80ea-60a48013ff6d"}}],
             "sender": {"reference": "Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"},
             "source": {"endpoint": "https://sor2.sum.dsdn.dk/#id=265161000016000"},
             "focus": [{"reference": "Encounter/a790f964-88d3-4652-bbc8-81d2f3d035f8"}]}},
        {"fullUrl": _BASE + "Patient/t33cef33-3626-422b-955d-d506aaa65fe1",
         "resource": {
             "resourceType": "Patient",
             "id": "t33cef33-3626-422b-955d-d506aaa65fe1",
             "identifier": [{"system": "urn:oid:1.2.208.176.1.2", "value": "2509479989"}],
             "name": [{"use": "official", "family": "Elmer", "given": ["Bruno", "Test"]}]}},
        {"fullUrl": _BASE + "Encounter/a790f964-88d3-4652-bbc8-81d2f3d035f8",
         "resource": {
             "resourceType": "Encounter",
             "id": "a790f964-88d3-4652-bbc8-81d2f3d035f8",
             "status": "in-progress",
             "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
             "subject": {"reference": "Patient/t33cef33-3626-422b-955d-d506aaa65fe1"},
             "episodeOfCare": [{"identifier": {"system": "https://sor2.sum.dsdn.dk/#id=265161000016000",
                                               "value": "bd481c38-a921-11ed-afa1-0242ac120002"}}],
             "period": {"start": "2022-12-07T12:00:00+02:00"},
             "serviceProvider": {"reference": "Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"}}},
        {"fullUrl": _BASE + "Organization/o4cdf292-abf3-4f5f-80ea-60a48013ff6d",
         "resource": {
             "resourceType": "Organization",
             "id": "o4cdf292-abf3-4f5f-80ea-60a48013ff6d",
             "identifier": [{"system": "urn:oid:1.2.208.176.1.1", "value": "953741000016009"},
                            {"system": "https://www.gs1.org/gln", "value": "5790001348120"}],
             "name": "Plejecenter Herlev"}},
        {"fullUrl": _BASE + "Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d",
         "resource": {
             "resourceType": "Organization",
             "id": "o7056980-a8b2-42aa-8a0e-c1fc85d1f40d",
             "identifier": [{"system": "urn:oid:1.2.208.176.1.1", "value": "265161000016000"},
                            {"system": "https://www.gs1.org/gln", "value": "5790000209354"}],
             "name": "Hjerteafdelingen på Herlev og Gentofte hospital"}},
        {"fullUrl": _BASE + "Provenance/a7cf3888-6f42-4e4d-929c-d2475d24fba0",
         "resource": {
             "resourceType": "Provenance",
             "id": "a7cf3888-6f42-4e4d-929c-d2475d24fba0",
             "target": [{"reference": "MessageHeader/b9b4818e-02de-4cc4-b418-d20cbc7b5404"}],
             "occurredDateTime": "2022-12-07T12:00:02+02:00",
             "recorded": "2022-12-07T12:00:02+02:00",
             "activity": {"coding": [{"system": f"{_MEDCOM}/terminology/CodeSystem/medcom-messaging-activityCodes",
                                      "code": "admit-inpatient"}]},
             "agent": [{"who": {"reference": "Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"}}]}},
    ],
}

STIN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- MedCom HospitalNotification, STIN: start hospital stay - admitted -->
<Bundle xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="http://hl7.org/fhir ../../schema/bundle.xsd">
  <id value="a5e5b880-c087-4055-b9ec-99108695f81d"/>
  <meta>
    <profile value="http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-message"/>
  </meta>
  <type value="message"/>
  <timestamp value="2022-12-07T12:00:01+02:00"/>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/MessageHeader/b9b4818e-02de-4cc4-b418-d20cbc7b5404"/>
    <resource>
      <MessageHeader>
        <id value="b9b4818e-02de-4cc4-b418-d20cbc7b5404"/>
        <extension url="http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionExtension">
          <valueBoolean value="true"/>
        </extension>
        <extension url="http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionRecipientExtension">
          <valueReference>
            <reference value="Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
          </valueReference>
        </extension>
        <eventCoding>
          <system value="http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes"/>
          <code value="hospital-notification-message"/>
        </eventCoding>
        <destination>
          <extension url="http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension">
            <valueCoding>
              <system value="http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse"/>
              <code value="primary"/>
            </valueCoding>
          </extension>
          <endpoint value="https://sor2.sum.dsdn.dk/#id=953741000016009"/>
          <receiver>
            <reference value="Organization/o4cdf292-abf3-4f5f-80ea-60a48013ff6d"/>
          </receiver>
        </destination>
        <sender>
          <reference value="Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
        </sender>
        <source>
          <endpoint value="https://sor2.sum.dsdn.dk/#id=265161000016000"/>
        </source>
        <focus>
          <reference value="Encounter/a790f964-88d3-4652-bbc8-81d2f3d035f8"/>
        </focus>
      </MessageHeader>
    </resource>
  </entry>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/Patient/t33cef33-3626-422b-955d-d506aaa65fe1"/>
    <resource>
      <Patient>
        <id value="t33cef33-3626-422b-955d-d506aaa65fe1"/>
        <text>
          <status value="generated"/>
          <div xmlns="http://www.w3.org/1999/xhtml"><p>Bruno Test <b>Elmer</b></p></div>
        </text>
        <identifier>
          <system value="urn:oid:1.2.208.176.1.2"/>
          <value value="2509479989"/>
        </identifier>
        <name>
          <use value="official"/>
          <family value="Elmer"/>
          <given value="Bruno"/>
          <given value="Test"/>
        </name>
      </Patient>
    </resource>
  </entry>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/Encounter/a790f964-88d3-4652-bbc8-81d2f3d035f8"/>
    <resource>
      <Encounter>
        <id value="a790f964-88d3-4652-bbc8-81d2f3d035f8"/>
        <status value="in-progress"/>
        <class>
          <system value="http://terminology.hl7.org/CodeSystem/v3-ActCode"/>
          <code value="IMP"/>
        </class>
        <subject>
          <reference value="Patient/t33cef33-3626-422b-955d-d506aaa65fe1"/>
        </subject>
        <episodeOfCare>
          <identifier>
            <system value="https://sor2.sum.dsdn.dk/#id=265161000016000"/>
            <value value="bd481c38-a921-11ed-afa1-0242ac120002"/>
          </identifier>
        </episodeOfCare>
        <period>
          <start value="2022-12-07T12:00:00+02:00"/>
        </period>
        <serviceProvider>
          <reference value="Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
        </serviceProvider>
      </Encounter>
    </resource>
  </entry>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/Organization/o4cdf292-abf3-4f5f-80ea-60a48013ff6d"/>
    <resource>
      <Organization>
        <id value="o4cdf292-abf3-4f5f-80ea-60a48013ff6d"/>
        <identifier>
          <system value="urn:oid:1.2.208.176.1.1"/>
          <value value="953741000016009"/>
        </identifier>
        <identifier>
          <system value="https://www.gs1.org/gln"/>
          <value value="5790001348120"/>
        </identifier>
        <name value="Plejecenter Herlev"/>
      </Organization>
    </resource>
  </entry>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
    <resource>
      <Organization>
        <id value="o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
        <identifier>
          <system value="urn:oid:1.2.208.176.1.1"/>
          <value value="265161000016000"/>
        </identifier>
        <identifier>
          <system value="https://www.gs1.org/gln"/>
          <value value="5790000209354"/>
        </identifier>
        <name value="Hjerteafdelingen på Herlev og Gentofte hospital"/>
      </Organization>
    </resource>
  </entry>
  <entry>
    <fullUrl value="https://medcomfhir.dk/ig/hospitalnotification/Provenance/a7cf3888-6f42-4e4d-929c-d2475d24fba0"/>
    <resource>
      <Provenance>
        <id value="a7cf3888-6f42-4e4d-929c-d2475d24fba0"/>
        <target>
          <reference value="MessageHeader/b9b4818e-02de-4cc4-b418-d20cbc7b5404"/>
        </target>
        <occurredDateTime value="2022-12-07T12:00:02+02:00"/>
        <recorded value="2022-12-07T12:00:02+02:00"/>
        <activity>
          <coding>
            <system value="http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"/>
            <code value="admit-inpatient"/>
          </coding>
        </activity>
        <agent>
          <who>
            <reference value="Organization/o7056980-a8b2-42aa-8a0e-c1fc85d1f40d"/>
          </who>
        </agent>
      </Provenance>
    </resource>
  </entry>
</Bundle>
"""


def _xml(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def _refused(text: str | bytes, match: str, **options) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(EventLogError, match=match) as info:
        parse_fhir_xml(io.BytesIO(data), **options)
    return str(info.value)


# --- the JSON form ---------------------------------------------------------------------------------

def test_a_medcom_message_bundle_reads_as_its_json_twin():
    # arrays of one (entry, identifier, destination, focus, target, coding, agent, extension, profile,
    # episodeOfCare), a boolean extension value, a repeated primitive (given), the narrative left out
    assert parse_fhir_xml(_xml(STIN_XML)) == STIN_JSON


def test_a_path_and_a_gzipped_file_read_the_same(tmp_path):
    path = tmp_path / "stin.xml"
    path.write_text(STIN_XML, encoding="utf-8")
    assert parse_fhir_xml(path) == STIN_JSON
    assert parse_fhir_xml(str(path)) == STIN_JSON
    assert parse_fhir_xml(io.BytesIO(gzip.compress(STIN_XML.encode("utf-8")))) == STIN_JSON


@pytest.mark.parametrize("xml_path", PAIRS, ids=[p.stem for p in PAIRS])
def test_every_xml_fixture_equals_its_json_twin(xml_path):
    with open(xml_path.with_suffix(".json"), encoding="utf-8") as f:
        expected = json.load(f)
    assert parse_fhir_xml(xml_path) == expected


def test_every_xml_fixture_has_a_json_twin():
    assert len(PAIRS) == 9  # hn_01 ... hn_09
    lonely = [p.name for p in DATA.glob("*.xml") if not p.with_suffix(".json").exists()]
    assert lonely == []


def test_primitive_types_ids_and_extensions_follow_the_json_rules():
    xml = """<Patient xmlns="http://hl7.org/fhir">
      <id value="p1"/>
      <active value="false"/>
      <name>
        <given value="Anna"/>
        <given id="g2"><extension url="http://hl7.org/fhir/StructureDefinition/data-absent-reason">
          <valueCode value="unknown"/></extension></given>
        <given value="Marie"/>
      </name>
      <telecom><system value="phone"/><value value="+4512345678"/><rank value="2"/></telecom>
      <birthDate id="bd" value="1947-09-25">
        <extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">
          <valueDateTime value="1947-09-25T08:30:00+01:00"/>
        </extension>
      </birthDate>
      <deceasedBoolean value="true"/>
      <multipleBirthInteger value="-0"/>
      <communication><language><text value="dansk"/></language><preferred value="true"/></communication>
    </Patient>"""
    assert parse_fhir_xml(_xml(xml)) == {
        "resourceType": "Patient", "id": "p1", "active": False,
        "name": [{"given": ["Anna", None, "Marie"],
                  "_given": [None, {"id": "g2", "extension": [
                      {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                       "valueCode": "unknown"}]}, None]}],
        "telecom": [{"system": "phone", "value": "+4512345678", "rank": 2}],
        "birthDate": "1947-09-25",
        "_birthDate": {"id": "bd", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
             "valueDateTime": "1947-09-25T08:30:00+01:00"}]},
        "deceasedBoolean": True, "multipleBirthInteger": 0,
        "communication": [{"language": {"text": "dansk"}, "preferred": True}],
    }


def test_decimals_read_as_json_reads_them_and_element_ids_are_kept():
    xml = """<Encounter xmlns="http://hl7.org/fhir">
      <status value="finished"/>
      <class id="c1"><code value="AMB"/></class>
      <length><value value="2.50"/><unit value="d"/></length>
      <diagnosis><condition><reference value="Condition/x"/></condition><rank value="1"/></diagnosis>
      <extension url="http://example.org/weight"><valueDecimal value="7"/></extension>
      <extension url="http://example.org/ratio"><valueDecimal value="1.5e2"/></extension>
    </Encounter>"""
    out = parse_fhir_xml(_xml(xml))
    assert out == json.loads("""{"resourceType": "Encounter", "status": "finished",
        "class": {"id": "c1", "code": "AMB"}, "length": {"value": 2.50, "unit": "d"},
        "diagnosis": [{"condition": {"reference": "Condition/x"}, "rank": 1}],
        "extension": [{"url": "http://example.org/weight", "valueDecimal": 7},
                      {"url": "http://example.org/ratio", "valueDecimal": 1.5e2}]}""")
    assert type(out["length"]["value"]) is float and type(out["extension"][0]["valueDecimal"]) is int


def test_contained_resources_and_unknown_resources():
    # Observation is not in the table: one item stays single, a repeated element becomes an array,
    # a choice suffix still types the value; contained is always an array
    xml = """<ServiceRequest xmlns="http://hl7.org/fhir">
      <contained>
        <Observation>
          <id value="o1"/>
          <status value="final"/>
          <code><coding><code value="x"/></coding></code>
          <component><valueQuantity><value value="3"/></valueQuantity></component>
          <component><valueBoolean value="false"/></component>
        </Observation>
      </contained>
      <status value="active"/>
      <intent value="order"/>
      <doNotPerform value="false"/>
      <subject><reference value="Patient/p1"/></subject>
      <authoredOn value="2023-01-02T08:00:00+01:00"/>
      <performer><display value="Psykiatrisk Center"/></performer>
      <supportingInfo><reference value="#o1"/></supportingInfo>
    </ServiceRequest>"""
    assert parse_fhir_xml(_xml(xml)) == {
        "resourceType": "ServiceRequest",
        "contained": [{"resourceType": "Observation", "id": "o1", "status": "final",
                       "code": {"coding": {"code": "x"}},
                       "component": [{"valueQuantity": {"value": 3}}, {"valueBoolean": False}]}],
        "status": "active", "intent": "order", "doNotPerform": False,
        "subject": {"reference": "Patient/p1"}, "authoredOn": "2023-01-02T08:00:00+01:00",
        "performer": [{"display": "Psykiatrisk Center"}], "supportingInfo": [{"reference": "#o1"}],
    }


def test_a_single_resource_and_empty_elements():
    xml = '<Organization xmlns="http://hl7.org/fhir"><id value="o"/><name/><alias/><type/></Organization>'
    assert parse_fhir_xml(_xml(xml)) == {"resourceType": "Organization", "id": "o"}
    assert parse_fhir_xml(_xml('<Bundle xmlns="http://hl7.org/fhir"/>')) == {"resourceType": "Bundle"}


def test_a_leave_period_extension_and_a_searchset_bundle():
    xml = """<Bundle xmlns="http://hl7.org/fhir">
      <type value="searchset"/><total value="1"/>
      <link><relation value="self"/><url value="https://example.org/Encounter?status=onleave"/></link>
      <entry>
        <resource><Encounter>
          <extension url="http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension">
            <valuePeriod><start value="2022-12-13T14:00:10+02:00"/></valuePeriod>
          </extension>
          <status value="onleave"/>
          <class><code value="IMP"/></class>
        </Encounter></resource>
        <search><mode value="match"/><score value="1"/></search>
      </entry>
    </Bundle>"""
    assert parse_fhir_xml(_xml(xml)) == {
        "resourceType": "Bundle", "type": "searchset", "total": 1,
        "link": [{"relation": "self", "url": "https://example.org/Encounter?status=onleave"}],
        "entry": [{"resource": {
            "resourceType": "Encounter",
            "extension": [{"url": "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/"
                                  "medcom-hospitalnotifiation-leave-period-extension",
                           "valuePeriod": {"start": "2022-12-13T14:00:10+02:00"}}],
            "status": "onleave", "class": {"code": "IMP"}},
            "search": {"mode": "match", "score": 1}}],
    }


# --- refusals ------------------------------------------------------------------------------------

SECRET = "TOPSECRET-2509479989"


@pytest.mark.parametrize("doctype, what", [
    ("<!DOCTYPE Bundle>", "DOCTYPE declaration"),
    ('<!DOCTYPE Bundle SYSTEM "http://127.0.0.1:9/fhir.dtd">', "external DTD"),
    ('<!DOCTYPE Bundle [<!ENTITY cpr "2509479989">]>', "DOCTYPE declaration"),
    ('<!DOCTYPE Bundle [<!ENTITY cpr SYSTEM "file:///etc/passwd">]>', "DOCTYPE declaration"),
    ('<!DOCTYPE Bundle [<!ATTLIST type value CDATA "message">]>', "DOCTYPE declaration"),
])
def test_any_doctype_is_refused_before_anything_is_read(doctype, what):
    message = _refused(f'<?xml version="1.0"?>\n{doctype}\n<Bundle xmlns="http://hl7.org/fhir">'
                       '<type value="&cpr;"/></Bundle>', what)
    assert "refused for safety" in message and "Remove the <!DOCTYPE" in message
    assert "line 2" in message and "2509479989" not in message


def test_an_entity_without_a_doctype_is_refused():
    _refused('<Bundle xmlns="http://hl7.org/fhir"><type value="&cpr;"/></Bundle>', "not well-formed.*undefined entity")


def test_billion_laughs_is_refused_fast():
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE Bundle [", '  <!ENTITY lol0 "lol">']
    lines += [f'  <!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10)]
    lines += ["]>", '<Bundle xmlns="http://hl7.org/fhir"><type value="&lol9;"/></Bundle>']
    started = time.perf_counter()
    _refused("\n".join(lines), "refused for safety")
    assert time.perf_counter() - started < 0.5


def test_external_entities_open_no_file_and_no_connection(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    hits = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn.recv(1000))
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    body = '<Bundle xmlns="http://hl7.org/fhir"><type value="&x;"/></Bundle>'
    try:
        for doctype in (f'<!DOCTYPE Bundle [<!ENTITY x SYSTEM "file://{secret}">]>',
                        f'<!DOCTYPE Bundle [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/e">]>',
                        f'<!DOCTYPE Bundle SYSTEM "http://127.0.0.1:{port}/fhir.dtd">',
                        f'<!DOCTYPE Bundle [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>'):
            for data in ((doctype + body).encode(), gzip.compress((doctype + body).encode())):
                assert SECRET not in _refused(data, "refused for safety")
        time.sleep(0.3)  # a connection made late would still be seen
    finally:
        stop.set()
        thread.join()
        server.close()
    assert hits == []


@pytest.mark.parametrize("text, match", [
    ('<Bundle xmlns="http://hl7.org/fhir/"><type value="message"/></Bundle>',
     r"root element <Bundle> is in the namespace 'http://hl7.org/fhir/', not in FHIR's \(http://hl7.org/fhir\)"),
    ("<Bundle><type value='message'/></Bundle>", r"root element <Bundle> is in no namespace.*this is not FHIR XML.*"
                                                 r'starts like <Bundle xmlns="http://hl7.org/fhir">'),
    ('<log xmlns="http://www.xes-standard.org/"/>', "root element <log> is in the namespace"),
    ('<entry xmlns="http://hl7.org/fhir"/>', r"root element <entry> is not a FHIR resource"),
    ('{"resourceType": "Bundle", "type": "message"}',
     r"not well-formed at line 1, column 1.*starts with '\{', not '<': it is not XML.*\.json"),
    ("", "no element found"),
])
def test_a_file_that_is_not_fhir_xml_is_refused_with_what_was_found(text, match, tmp_path):
    path = tmp_path / "besked.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventLogError, match=match) as info:
        parse_fhir_xml(path)
    assert "'" + str(path) + "'" in str(info.value)  # the file is named
    assert info.value.failure_cases["row"].tolist() == [-1]


@pytest.mark.parametrize("body, match", [
    ("<identifier><value>2509479989</value></identifier>", r"Patient.identifier.value holds text; FHIR XML puts "
                                                           r"every value in a value attribute"),
    ('<active value="yes"/>', r"Patient.active is 'yes', not a boolean"),
    ('<telecom><rank value="1.5"/></telecom>', r"Patient.telecom.rank is '1.5', not an integer"),
    ('<name value="x"/>', r"Patient.name has a value attribute, but it is a HumanName"),
    ('<gender value="male" system="x"/>', r"Patient.gender has the attribute 'system'"),
    ('<gender value="male"><coding/></gender>', r"Patient.gender.coding: a primitive element holds only <extension>"),
    ('<x:foo xmlns:x="urn:x"/>', r"<foo> inside Patient is in the namespace 'urn:x'"),
    ('<div xmlns="http://www.w3.org/1999/xhtml">x</div>', r"<div> inside Patient is in the namespace"),
    ("<managingOrganization><Organization/></managingOrganization>",
     r"resource <Organization> is inside Patient.managingOrganization, which cannot hold a resource"),
    ("<contained><id value='x'/></contained>", r"Patient.contained.id: <contained> holds a resource"),
    ("<contained><Organization/><Organization/></contained>", "Patient.contained holds two resources"),
    ("<resourceType value='Patient'/>", "has no <resourceType>"),
    ("<_x value='1'/>", "not a FHIR element name"),
])
def test_what_is_not_fhir_xml_inside_a_resource_is_refused(body, match):
    message = _refused(f'<Patient xmlns="http://hl7.org/fhir">{body}</Patient>', match)
    assert "2509479989" not in message  # string values (maybe personal data) are never quoted
    assert "line 1, column" in message


def test_too_deep_and_too_long_are_refused():
    deep = ('<Patient xmlns="http://hl7.org/fhir">' + "<extension url='u'>" * 300
            + "</extension>" * 300 + "</Patient>")
    _refused(deep, "nested more than 256 levels deep")
    deep_narrative = ('<Patient xmlns="http://hl7.org/fhir"><text><div xmlns="http://www.w3.org/1999/xhtml">'
                      + "<div>" * 300 + "</div>" * 300 + "</div></text></Patient>")
    _refused(deep_narrative, r"nested more than 256 levels deep at Patient\.text\.div\.div")
    long_value = f'<Patient xmlns="http://hl7.org/fhir"><gender value="{"m" * 2_000}"/></Patient>'
    message = _refused(long_value, r"value attribute of Patient.gender is 2,000 characters long, more than "
                                   r"max_value_chars=1,000", max_value_chars=1_000)
    assert "mmmm" not in message
    assert parse_fhir_xml(_xml(long_value), max_value_chars=2_000)["gender"] == "m" * 2_000
    # an attribute outside FHIR (not read) is bounded too
    _refused(f'<Patient xmlns="http://hl7.org/fhir" xmlns:x="urn:x" x:note="{"n" * 2_000}"/>',
             r"note attribute of Patient is 2,000 characters long", max_value_chars=1_000)
    # a value that never ends is refused once its budget is spent, not at the end of the input
    endless = b'<Patient xmlns="http://hl7.org/fhir"><gender value="' + b"m" * 8_000_000
    _refused(endless, "max_value_chars", max_value_chars=100_000)


def test_bad_arguments():
    with pytest.raises(OptionError, match="max_value_chars=0 is not allowed"):
        parse_fhir_xml(_xml(STIN_XML), max_value_chars=0)
    with pytest.raises(EventLogError, match="parse_fhir_xml expects a path or a file object, got int"):
        parse_fhir_xml(3)
    with pytest.raises(EventLogError, match="cannot open .*nope.xml"):
        parse_fhir_xml(Path("/nonexistent/nope.xml"))



# --- the same messages in JSON and in XML give the same EventLog -----------------------------------

def _read_both(tmp_path, pairs, **options):
    import shutil

    import pathways as pw

    logs = []
    for suffix in (".json", ".xml"):
        folder = tmp_path / suffix[1:]
        folder.mkdir()
        for name, content in pairs:
            target = folder / (name + suffix)
            if isinstance(content[suffix], Path):
                shutil.copyfile(content[suffix], target)
            else:
                target.write_text(content[suffix], encoding="utf-8")
        logs.append(pw.read_fhir(folder, key="hemmelig", **options))
    return logs


def _same_log(from_json, from_xml):
    import pandas as pd

    pd.testing.assert_frame_equal(from_json.to_pandas(), from_xml.to_pandas())
    rejected = [log.rejected.assign(file=log.rejected["file"].str.replace(r"\.(json|xml)$", "", regex=True))
                if "file" in log.rejected else log.rejected for log in (from_json, from_xml)]
    pd.testing.assert_frame_equal(*rejected)
    assert from_json.notes == from_xml.notes


def test_the_medcom_message_in_json_and_in_xml_gives_the_same_event_log(tmp_path):
    from_json, from_xml = _read_both(tmp_path, [("stin", {".json": json.dumps(STIN_JSON), ".xml": STIN_XML})])
    _same_log(from_json, from_xml)
    events = from_xml.to_pandas()
    assert events["activity"].tolist() == ["admit-inpatient"]
    assert events["unit"].tolist() == ["Hjerteafdelingen på Herlev og Gentofte hospital"]
    assert events["receiver"].tolist() == ["Plejecenter Herlev"]
    assert str(events["notified"][0].tz_convert("UTC")) == "2022-12-07 10:00:02+00:00"


def test_the_fixture_folder_in_json_and_in_xml_gives_the_same_event_log(tmp_path):
    assert PAIRS, "no XML twins of the JSON fixtures in tests/data/fhir"
    from_json, from_xml = _read_both(tmp_path, [(p.stem, {".json": p.with_suffix(".json"), ".xml": p})
                                                for p in PAIRS])
    _same_log(from_json, from_xml)
    # worked out from the fixtures: the admission revised from 12:00 to 13:00 (+02:00), the discharge sent
    # twice counts once, the cancelled emergency admission is gone, the readmission ten days later stays
    events = from_xml.to_pandas()
    assert events["activity"].tolist() == ["admit-inpatient", "start-leave-inpatient", "end-leave-inpatient",
                                           "discharge-inpatient-home", "admit-inpatient"]
    assert [str(t.tz_convert("UTC")) for t in events["timestamp"]] == [
        "2022-12-07 11:00:00+00:00", "2022-12-13 12:00:10+00:00", "2022-12-14 13:30:00+00:00",
        "2022-12-18 07:45:30+00:00", "2022-12-28 07:15:00+00:00"]
    assert len(from_xml.rejected) == 0
