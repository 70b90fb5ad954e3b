"""Tests of pathways.taxonomy: UnitTaxonomy (unit -> domain, sector) and Vocabulary (activity -> event type).

Expected classes are worked out by hand from DOMAIN.md section 2 (units) and
section 3 / schema.EVENT_TYPES (activities).
"""

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from pathways import schema as S
from pathways.errors import OptionError
from pathways.taxonomy import ACTIVITY_RULES, UNIT_RULES, UnitTaxonomy, Vocabulary

TZ = "Europe/Copenhagen"

# --- DOMAIN.md section 2: every unit example, classified by hand ----------------------------
DOMAIN_MD_UNITS = [
    ("Egen læge", "general_practice", "general_practice"),
    ("Vagtlæge", "general_practice", "general_practice"),
    ("Psykiatrisk Visitationsklinik", "psychiatric", "region"),
    ("PVK", "psychiatric", "region"),
    ("Psykiatrisk Akutmodtagelse", "psychiatric", "region"),
    ("PAM", "psychiatric", "region"),
    ("Psykiatrisk sengeafsnit", "psychiatric", "region"),
    ("Distriktspsykiatri", "psychiatric", "region"),
    ("DP", "psychiatric", "region"),
    ("Børne- og Ungdomspsykiatri", "psychiatric", "region"),
    ("B&U", "psychiatric", "region"),
    ("Privatpraktiserende psykiater", "psychiatric", "private"),
    ("Akutmodtagelse", "somatic", "region"),
    ("Medicinsk afdeling", "somatic", "region"),
    ("Kardiologisk afdeling", "somatic", "region"),
    ("Gastroenterologisk afdeling", "somatic", "region"),
    ("Smerteklinik", "somatic", "region"),
    ("Hjemmepleje", "municipal_care", "municipality"),
    ("Hjemmesygepleje", "municipal_care", "municipality"),
    ("Akutteam", "municipal_care", "municipality"),
    ("Akutplads", "municipal_care", "municipality"),
    ("Midlertidig plads", "municipal_care", "municipality"),
    ("Korttidsplads", "municipal_care", "municipality"),
    ("Plejehjem", "municipal_care", "municipality"),
    ("Genoptræning", "municipal_care", "municipality"),
    ("Misbrugscenter", "substance", "municipality"),
    ("Jobcenter", "social", "municipality"),
    ("Socialpsykiatri", "social", "municipality"),
    ("Bosted", "social", "municipality"),
    # the other names of DOMAIN.md section 2 and the task brief
    ("Psykiatri", "psychiatric", "region"),
    ("Privat psykiater", "psychiatric", "private"),
    ("Rusmidler", "substance", "municipality"),
    ("Alkoholbehandling", "substance", "municipality"),
    ("Bostøtte", "social", "municipality"),
    ("Forsorgshjem", "social", "municipality"),
    ("Almen praksis", "general_practice", "general_practice"),
    ("Praktiserende læge", "general_practice", "general_practice"),
    ("Lægevagt", "general_practice", "general_practice"),
    ("Sundhedscenter", "municipal_care", "municipality"),
    ("Ortopædkirurgisk afdeling", "somatic", "region"),
    ("Kirurgisk afdeling", "somatic", "region"),
    ("Geriatrisk afdeling", "somatic", "region"),
    ("Ambulatorium for diabetes", "somatic", "region"),
    ("Regionshospitalet Randers", "somatic", "region"),
    ("Sygehus Sønderjylland", "somatic", "region"),
    ("Intensiv afdeling", "somatic", "region"),
    ("Hospice Djursland", "somatic", "region"),
]

ENGLISH_UNITS = [
    ("GP", "general_practice", "general_practice"),
    ("General practitioner", "general_practice", "general_practice"),
    ("Out-of-hours GP", "general_practice", "general_practice"),
    ("Psychiatric emergency department", "psychiatric", "region"),
    ("Child and adolescent psychiatry", "psychiatric", "region"),
    ("Community mental health team", "psychiatric", "region"),
    ("Private psychiatrist", "psychiatric", "private"),
    ("Emergency department", "somatic", "region"),
    ("Department of cardiology", "somatic", "region"),
    ("Gastroenterology", "somatic", "region"),
    ("Orthopaedic surgery", "somatic", "region"),
    ("Pain clinic", "somatic", "region"),
    ("Geriatric ward", "somatic", "region"),
    ("Hospital", "somatic", "region"),
    ("Intensive care unit", "somatic", "region"),
    ("Home care", "municipal_care", "municipality"),
    ("Home nursing", "municipal_care", "municipality"),
    ("Acute team", "municipal_care", "municipality"),
    ("Temporary bed", "municipal_care", "municipality"),
    ("Short-term stay", "municipal_care", "municipality"),
    ("Nursing home", "municipal_care", "municipality"),
    ("Rehabilitation", "municipal_care", "municipality"),
    ("Addiction centre", "substance", "municipality"),
    ("Job centre", "social", "municipality"),
    ("Social psychiatry", "social", "municipality"),
    ("Supported housing", "social", "municipality"),
]

TRICKY_UNITS = [
    # psychiatry wins over "akutmodtagelse", "afdeling", "akutteam", "ambulatorium", "hospital"
    ("Psykiatrisk Akutmodtagelse", "psychiatric", "region"),
    ("Akutmodtagelse, psykiatri", "psychiatric", "region"),
    ("Børne- og Ungdomspsykiatrisk afdeling", "psychiatric", "region"),
    ("Psykiatrisk akutteam", "psychiatric", "region"),
    ("Psykiatrisk ambulatorium", "psychiatric", "region"),
    ("Psykiatrisk Center Glostrup", "psychiatric", "region"),
    ("Gerontopsykiatrisk afsnit", "psychiatric", "region"),
    ("Retspsykiatrisk sengeafsnit", "psychiatric", "region"),
    ("Aarhus Universitetshospital Psykiatrien", "psychiatric", "region"),
    # abbreviations as whole words, any case, with neighbours
    ("DP Vest", "psychiatric", "region"),
    ("dp nord", "psychiatric", "region"),
    ("PAM Roskilde", "psychiatric", "region"),
    ("Psykiatrisk Visitationsklinik (PVK)", "psychiatric", "region"),
    ("B & U Risskov", "psychiatric", "region"),
    ("BUP Vest", "psychiatric", "region"),
    ("OPUS Aarhus", "psychiatric", "region"),
    # social psychiatry is municipal social care, not regional psychiatry
    ("Socialpsykiatrisk bosted", "social", "municipality"),
    ("Social- og Psykiatriforvaltningen", "social", "municipality"),
    # private psychiatrist and psychologist
    ("Privatpraktiserende Psykiater Hansen", "psychiatric", "private"),
    ("Speciallæge i psykiatri", "psychiatric", "private"),
    ("Privatpraktiserende psykolog", "psychiatric", "private"),
    # somatic emergency versus municipal acute services
    ("Fælles Akutmodtagelse", "somatic", "region"),
    ("FAM Hillerød", "somatic", "region"),
    ("Akutklinik", "somatic", "region"),
    ("Kommunal akutfunktion", "municipal_care", "municipality"),
    ("Akut team", "municipal_care", "municipality"),
    # a hospital's alcohol unit is regional; a municipal one municipal
    ("Alkoholambulatoriet, Bispebjerg Hospital", "substance", "region"),
    ("Rusmiddelcenter Odense", "substance", "municipality"),
    # hospital marker before municipal service words
    ("Genoptræning, Hvidovre Hospital", "somatic", "region"),
    ("Privathospitalet Mølholm", "somatic", "private"),
    ("Friplejehjem Solgården", "municipal_care", "private"),
    # GP spellings and compounds
    ("Egen laege", "general_practice", "general_practice"),
    ("EGEN LÆGE", "general_practice", "general_practice"),
    ("  egen   læge  ", "general_practice", "general_practice"),
    ("Lægehuset Torvet", "general_practice", "general_practice"),
    ("Lægevagten, Nordsjællands Hospital", "general_practice", "general_practice"),
    ("1813", "general_practice", "general_practice"),
    ("Øjenlæge Jensen", "somatic", "private"),
    # æøå written as ae/oe/aa
    ("Boerne- og Ungdomspsykiatri", "psychiatric", "region"),
    ("Genoptraening", "municipal_care", "municipality"),
    ("Bostoette", "social", "municipality"),
    ("Ældrecenter Bakkegården", "municipal_care", "municipality"),
    ("Boernetandplejen", "other", "municipality"),
]

#: Names that say nothing about domain or sector: never guessed.
UNPLACEABLE_UNITS = ["Afsnit 4711", "Klinik X", "Ukendt afsnit", "AFD-17B", "Team Nord 2", "Afsnit Q",
                     "Afdeling Q", "Afdeling Nord", "Ukendt afdeling", "Sengeafsnit", "Team 3", "Borgerservice",
                     "Kaffestuen", "NA"]


def _classes(names, tax=None):
    tax = tax or UnitTaxonomy.default()
    t = tax.table_for([n for n, _, _ in names])
    return t


@pytest.mark.parametrize("table", [DOMAIN_MD_UNITS, ENGLISH_UNITS, TRICKY_UNITS],
                         ids=["domain_md", "english", "tricky"])
def test_default_rules_classify_units_as_by_hand(table):
    t = _classes(table)
    assert list(t["unit"]) == [n for n, _, _ in table]
    got = list(zip(t["unit"], t["domain"], t["sector"]))
    assert got == table
    assert set(t["classified_by"]) == {"rule"}
    assert t["valid_from"].isna().all() and t["valid_to"].isna().all()


def test_unplaceable_units_are_unknown_never_guessed():
    t = UnitTaxonomy.default().table_for(UNPLACEABLE_UNITS)
    assert list(t["unit"]) == UNPLACEABLE_UNITS
    assert set(t["domain"]) == {"unknown"}
    assert set(t["sector"]) == {"unknown"}
    assert set(t["classified_by"]) == {"unknown"}


def test_synthetic_units_agree_with_the_default_rules():
    from pathways.synthetic import vocabulary as V

    t = UnitTaxonomy.default().table_for(list(V.UNIT_NAMES) + list(V.UNKNOWN_UNITS))
    assert list(zip(t["unit"], t["domain"], t["sector"]))[:len(V.UNITS)] == list(V.UNITS)
    assert list(t["classified_by"]) == ["rule"] * len(V.UNITS) + ["unknown"] * len(V.UNKNOWN_UNITS)


def test_which_rule_placed_a_unit():
    tax = UnitTaxonomy.default()
    assert tax.classify("Psykiatrisk Akutmodtagelse").rule == "psykiatri / psykiatrisk / psychiatry"
    assert tax.classify("Akutmodtagelse").rule == "akutmodtagelse / skadestue"
    assert tax.classify("Socialpsykiatri").rule == "socialpsykiatri"
    assert tax.classify("Klinik X") == ("unknown", "unknown", "unknown", None)


def test_rules_use_only_schema_domains_and_sectors_and_are_ordered():
    for rule in UNIT_RULES:
        assert rule.result[0] in S.DOMAINS and rule.result[1] in S.SECTORS, rule.name
    names = [r.name for r in UNIT_RULES]
    assert len(names) == len(set(names))
    order = {n: i for i, n in enumerate(names)}
    assert order["socialpsykiatri"] < order["psykiatri / psykiatrisk / psychiatry"]
    assert order["privatpraktiserende psykiater"] < order["psykiatri / psykiatrisk / psychiatry"]
    assert order["psykiatri / psykiatrisk / psychiatry"] < order["akutmodtagelse / skadestue"]
    assert order["psykiatri / psykiatrisk / psychiatry"] < order["afdeling / ambulatorium (med beskrivende ord)"]
    table = UnitTaxonomy.default().rules_table
    assert list(table.columns) == ["order", "rule", "domain", "sector", "pattern", "unless", "source"]
    assert len(table) == len(UNIT_RULES) and table["order"].tolist() == list(range(1, len(UNIT_RULES) + 1))


# --- explicit mappings ------------------------------------------------------------------------

def test_mapping_only_taxonomy_has_no_rules():
    tax = UnitTaxonomy.from_dict({"Smerteklinik": ("somatic", "region")})
    t = tax.table_for(["smerteklinik", "Hjemmepleje"])
    assert t[["unit", "domain", "sector", "classified_by"]].values.tolist() == [
        ["smerteklinik", "somatic", "region", "mapping"],
        ["Hjemmepleje", "unknown", "unknown", "unknown"]]


def test_mapping_wins_over_rules_whichever_way_extend_is_called():
    mapping = {"Psykiatrisk Akutmodtagelse": ("somatic", "region"), "Afsnit Q": ("psychiatric", "region")}
    for tax in (UnitTaxonomy.default().extend(mapping),
                UnitTaxonomy.from_dict(mapping).extend(UnitTaxonomy.default())):
        t = tax.table_for(["Psykiatrisk Akutmodtagelse", "Afsnit Q", "Hjemmepleje"]).set_index("unit")
        assert t.loc["Psykiatrisk Akutmodtagelse", ["domain", "classified_by"]].tolist() == ["somatic", "mapping"]
        assert t.loc["Afsnit Q", ["domain", "sector", "classified_by"]].tolist() == [
            "psychiatric", "region", "mapping"]
        assert t.loc["Hjemmepleje", ["domain", "classified_by"]].tolist() == ["municipal_care", "rule"]
        assert len(tax.rules) == len(UNIT_RULES)


def test_extend_replaces_entries_of_the_same_unit():
    tax = UnitTaxonomy.from_dict({"Enhed A": ("somatic", "region"), "Enhed B": ("social", "municipality")})
    tax = tax.extend({"enhed a": ("psychiatric", "region")})
    assert len(tax) == 2
    assert tax.classify("Enhed A")[:3] == ("psychiatric", "region", "mapping")
    assert tax.classify("Enhed B")[:3] == ("social", "municipality", "mapping")


def test_dict_value_forms_and_normalised_choices():
    tax = UnitTaxonomy.from_dict({
        "A": ("somatic", "region"),
        "B": {"domain": "Municipal care", "sector": "MUNICIPALITY"},
        "C": ["general-practice", "general practice"],
    })
    t = tax.table_for(["A", "B", "C"])
    assert t[["domain", "sector"]].values.tolist() == [
        ["somatic", "region"], ["municipal_care", "municipality"], ["general_practice", "general_practice"]]


def test_bad_domain_names_entry_value_allowed_and_suggestion():
    with pytest.raises(OptionError) as err:
        UnitTaxonomy.from_dict({"Smerteklinik": ("somatisk", "region")})
    msg = str(err.value)
    assert "'Smerteklinik'" in msg
    assert "domain='somatisk' is not allowed" in msg
    assert "'psychiatric', 'somatic', 'municipal_care', 'social', 'substance', 'general_practice', " \
           "'other', 'unknown'" in msg
    assert "Did you mean 'somatic'?" in msg


def test_bad_sector_and_missing_sector():
    with pytest.raises(OptionError, match=r"'Hjemmepleje Nord'.*sector='kommune' is not allowed.*'municipality'"):
        UnitTaxonomy.from_dict({"Hjemmepleje Nord": ("municipal_care", "kommune")})
    with pytest.raises(OptionError, match=r"'X'.*sector is missing"):
        UnitTaxonomy.from_dict({"X": {"domain": "somatic"}})
    with pytest.raises(OptionError, match=r"unknown key 'valid_form'.*Did you mean 'valid_from'"):
        UnitTaxonomy.from_dict({"X": {"domain": "somatic", "sector": "region", "valid_form": "2020-01-01"}})
    with pytest.raises(OptionError, match="expected \\(domain, sector\\)"):
        UnitTaxonomy.from_dict({"X": "somatic"})


def test_two_plain_mappings_of_one_unit_are_refused():
    with pytest.raises(OptionError, match="mapped twice without a validity period"):
        UnitTaxonomy.from_frame(pd.DataFrame({"unit": ["Enhed", "ENHED"], "domain": ["somatic", "social"],
                                              "sector": ["region", "municipality"]}))
    # the same mapping twice is harmless
    tax = UnitTaxonomy.from_frame(pd.DataFrame({"unit": ["Enhed", "enhed"], "domain": ["somatic"] * 2,
                                                "sector": ["region"] * 2}))
    assert len(tax) == 1


# --- validity periods -------------------------------------------------------------------------

MERGER = {
    "Psykiatrisk Center Nord": [
        {"domain": "psychiatric", "sector": "region", "valid_to": "2022-01-01"},
        {"domain": "social", "sector": "municipality", "valid_from": "2022-01-01", "valid_to": "2023-07-01"},
    ],
}


def test_periods_give_one_row_each_plus_a_plain_fallback_row():
    tax = UnitTaxonomy.default().extend(MERGER)
    t = tax.table_for(["Psykiatrisk Center Nord", "Hjemmepleje"])
    assert t[["unit", "domain", "sector", "classified_by"]].values.tolist() == [
        ["Psykiatrisk Center Nord", "psychiatric", "region", "mapping"],
        ["Psykiatrisk Center Nord", "social", "municipality", "mapping"],
        ["Psykiatrisk Center Nord", "psychiatric", "region", "rule"],   # outside every period: the rules
        ["Hjemmepleje", "municipal_care", "municipality", "rule"]]
    assert str(t["valid_from"].dtype) == "datetime64[us, Europe/Copenhagen]"
    assert pd.isna(t.loc[0, "valid_from"])
    assert t.loc[0, "valid_to"] == pd.Timestamp("2022-01-01 00:00", tz=TZ)
    assert t.loc[1, "valid_from"] == pd.Timestamp("2022-01-01 00:00", tz=TZ)
    assert t.loc[1, "valid_to"] == pd.Timestamp("2023-07-01 00:00", tz=TZ)
    assert t.loc[2:, "valid_from"].isna().all() and t.loc[2:, "valid_to"].isna().all()


def test_fallback_without_rules_is_unknown_and_plain_mapping_is_the_fallback():
    t = UnitTaxonomy.from_dict(MERGER).table_for(["Psykiatrisk Center Nord"])
    assert t["classified_by"].tolist() == ["mapping", "mapping", "unknown"]
    both = UnitTaxonomy.from_dict({"Enhed": [{"domain": "somatic", "sector": "region"},
                                             {"domain": "social", "sector": "municipality",
                                              "valid_from": "2024-01-01"}]})
    t = both.table_for(["Enhed"])
    assert t[["domain", "classified_by"]].values.tolist() == [["social", "mapping"], ["somatic", "mapping"]]
    assert t["valid_from"].notna().tolist() == [True, False]


def test_classify_at_a_time_follows_half_open_periods():
    tax = UnitTaxonomy.default().extend(MERGER)
    at = lambda ts: tax.classify("Psykiatrisk Center Nord", at=ts)[:3]  # noqa: E731
    assert at("2021-12-31 23:59") == ("psychiatric", "region", "mapping")
    assert at("2022-01-01 00:00") == ("social", "municipality", "mapping")      # valid_from is inclusive
    assert at("2023-06-30 23:59:59") == ("social", "municipality", "mapping")
    assert at("2023-07-01 00:00") == ("psychiatric", "region", "rule")          # valid_to is exclusive
    assert at(pd.Timestamp("2021-12-31 23:30", tz="UTC")) == ("social", "municipality", "mapping")  # 00:30 local


def test_documented_duckdb_join_uses_period_rows_first():
    """The join of table_for's docstring, run in DuckDB, gives what classify() gives."""
    tax = UnitTaxonomy.default().extend(MERGER)
    classes = tax.table_for(["Psykiatrisk Center Nord", "Hjemmepleje", "Klinik X"])
    events = pd.DataFrame({
        "row": range(7),
        "unit": ["Psykiatrisk Center Nord"] * 4 + ["Hjemmepleje", "Klinik X", "Psykiatrisk Center Nord"],
        "timestamp": pd.to_datetime(["2021-06-01 10:00", "2022-01-01 00:00", "2023-06-30 12:00",
                                     "2023-07-01 00:00", "2022-03-01 08:00", "2022-03-01 08:00",
                                     None]).tz_localize(TZ)})
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Copenhagen'")
    con.register("t", classes)
    con.register("e", events)
    got = con.execute("""
        SELECT e.row, coalesce(p.domain, f.domain) AS domain, coalesce(p.sector, f.sector) AS sector
        FROM e
        LEFT JOIN (SELECT * FROM t WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL) p
               ON e.unit = p.unit AND (p.valid_from IS NULL OR p.valid_from <= e.timestamp)
                                  AND (p.valid_to IS NULL OR e.timestamp < p.valid_to)
        LEFT JOIN (SELECT * FROM t WHERE valid_from IS NULL AND valid_to IS NULL) f ON e.unit = f.unit
        ORDER BY e.row""").fetchall()
    assert got == [(0, "psychiatric", "region"), (1, "social", "municipality"), (2, "social", "municipality"),
                   (3, "psychiatric", "region"), (4, "municipal_care", "municipality"),
                   (5, "unknown", "unknown"), (6, "psychiatric", "region")]
    for row, unit, ts in events.itertuples(index=False):
        expected = tax.classify(unit, at=None if pd.isna(ts) else ts)
        assert got[row][1:] == (expected.domain, expected.sector)


def test_naive_bounds_are_local_in_the_given_tz_and_aware_bounds_are_converted():
    tax = UnitTaxonomy.from_dict({
        "A": {"domain": "somatic", "sector": "region", "valid_from": "2023-07-01"},
        "B": {"domain": "somatic", "sector": "region", "valid_from": pd.Timestamp("2023-07-01", tz="UTC")},
    })
    cph = tax.table_for(["A", "B"], tz=TZ)
    assert cph.loc[0, "valid_from"] == pd.Timestamp("2023-07-01 00:00", tz=TZ)
    assert cph.loc[0, "valid_from"] == pd.Timestamp("2023-06-30 22:00", tz="UTC")
    assert cph.loc[2, "valid_from"] == pd.Timestamp("2023-07-01 02:00", tz=TZ)
    utc = tax.table_for(["A"], tz="UTC")
    assert str(utc["valid_from"].dtype) == "datetime64[us, UTC]"
    assert utc.loc[0, "valid_from"] == pd.Timestamp("2023-07-01 00:00", tz="UTC")
    with pytest.raises(OptionError, match="Europe/Copenhagen"):
        tax.table_for(["A"], tz="Europe/Copenhage")


def test_overlapping_and_empty_periods_are_refused():
    with pytest.raises(OptionError, match=r"'Enhed'.*overlap"):
        UnitTaxonomy.from_dict({"Enhed": [
            {"domain": "somatic", "sector": "region", "valid_to": "2022-02-01"},
            {"domain": "social", "sector": "municipality", "valid_from": "2022-01-01"}]})
    with pytest.raises(OptionError, match="overlap"):
        UnitTaxonomy.from_dict({"Enhed": [
            {"domain": "somatic", "sector": "region", "valid_from": "2020-01-01"},
            {"domain": "social", "sector": "municipality", "valid_from": "2022-01-01"}]})
    with pytest.raises(OptionError, match="valid_from .* must be before valid_to"):
        UnitTaxonomy.from_dict({"Enhed": {"domain": "somatic", "sector": "region",
                                          "valid_from": "2022-01-01", "valid_to": "2022-01-01"}})
    with pytest.raises(OptionError, match=r"'Enhed'.*valid_to='31-02-2023' is not a date"):
        UnitTaxonomy.from_dict({"Enhed": {"domain": "somatic", "sector": "region", "valid_to": "31-02-2023"}})


# --- files --------------------------------------------------------------------------------------

def test_csv_semicolon_latin1_with_danish_dates(tmp_path):
    p = tmp_path / "enheder.csv"
    p.write_bytes(("unit;domain;sector;valid_from;valid_to\n"
                   "Smerteklinik Århus;somatic;region;;\n"
                   "Børne- og Ungeenheden;psychiatric;region;;01-03-2022\n"
                   "Børne- og Ungeenheden;social;municipality;01-03-2022;\n").encode("latin-1"))
    tax = UnitTaxonomy.from_csv(p)
    assert repr(tax) == "UnitTaxonomy: 3 mappings (2 with validity periods), no rules"
    t = tax.table_for(["Smerteklinik Århus", "Børne- og Ungeenheden"])
    assert t[["unit", "domain", "sector", "classified_by"]].values.tolist() == [
        ["Smerteklinik Århus", "somatic", "region", "mapping"],
        ["Børne- og Ungeenheden", "psychiatric", "region", "mapping"],
        ["Børne- og Ungeenheden", "social", "municipality", "mapping"],
        ["Børne- og Ungeenheden", "unknown", "unknown", "unknown"]]
    assert t.loc[1, "valid_to"] == pd.Timestamp("2022-03-01", tz=TZ)     # dd-mm-yyyy, day first
    assert t.loc[2, "valid_from"] == pd.Timestamp("2022-03-01", tz=TZ)


def test_csv_comma_utf8_bom_and_danish_headers(tmp_path):
    p = tmp_path / "enheder.csv"
    p.write_text("Enhed,Domæne,Sektor\nLægehuset Ø,general_practice,general_practice\nNA,other,other\n",
                 encoding="utf-8-sig")
    t = UnitTaxonomy.from_csv(p).table_for(["Lægehuset Ø", "NA"])
    assert t[["unit", "domain", "sector"]].values.tolist() == [
        ["Lægehuset Ø", "general_practice", "general_practice"], ["NA", "other", "other"]]


def test_csv_errors_name_the_line_and_the_columns(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("unit;domain;sector\nA;somatic;region\nB;psykiatrisk;region\n", encoding="utf-8")
    with pytest.raises(OptionError, match=r"'bad.csv' line 3 \(unit 'B'\): domain='psykiatrisk' is not allowed"
                                          r".*Did you mean 'psychiatric'"):
        UnitTaxonomy.from_csv(p)
    p.write_text("unit;domian;sector\nA;somatic;region\n", encoding="utf-8")
    with pytest.raises(OptionError, match=r"missing 'domain'.*closest to 'domain': 'domian'"):
        UnitTaxonomy.from_csv(p)
    p.write_text("unit;domain;sector;valid_fra\nA;somatic;region;2020-01-01\n", encoding="utf-8")
    with pytest.raises(OptionError, match=r"column 'valid_fra' is not a known column; did you mean 'valid_from'"):
        UnitTaxonomy.from_csv(p)
    with pytest.raises(OptionError, match="does not exist"):
        UnitTaxonomy.from_csv(tmp_path / "missing.csv")


def test_yaml_mapping_list_and_periods(tmp_path):
    p = tmp_path / "units.yaml"
    p.write_text(
        "units:\n"
        "  Smerteklinik: [somatic, region]\n"
        "  Egen læge: {domain: general_practice, sector: general_practice}\n"
        "  Psykiatri Vest:\n"
        "    - {domain: psychiatric, sector: region, valid_to: 2021-01-01}\n"
        "    - {domain: psychiatric, sector: private, valid_from: 2021-01-01}\n", encoding="utf-8")
    t = UnitTaxonomy.from_yaml(p).table_for(["Smerteklinik", "Egen læge", "Psykiatri Vest"])
    assert t[["unit", "domain", "sector", "classified_by"]].values.tolist() == [
        ["Smerteklinik", "somatic", "region", "mapping"],
        ["Egen læge", "general_practice", "general_practice", "mapping"],
        ["Psykiatri Vest", "psychiatric", "region", "mapping"],
        ["Psykiatri Vest", "psychiatric", "private", "mapping"],
        ["Psykiatri Vest", "unknown", "unknown", "unknown"]]
    assert t.loc[2, "valid_to"] == pd.Timestamp("2021-01-01", tz=TZ)   # a YAML date is a local date
    q = tmp_path / "list.yml"
    q.write_text("- {unit: Jobcenter Syd, domain: social, sector: municipality}\n", encoding="utf-8")
    assert UnitTaxonomy.default().extend(q).classify("Jobcenter Syd")[:3] == ("social", "municipality", "mapping")
    r = tmp_path / "bad.yaml"
    r.write_text("X: [somatik, region]\n", encoding="utf-8")
    with pytest.raises(OptionError, match=r"'bad.yaml' entry 'X': domain='somatik'.*Did you mean 'somatic'"):
        UnitTaxonomy.from_yaml(r)


def test_extend_accepts_csv_path_frame_and_rejects_other_things(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("unit;domain;sector\nKlinik X;somatic;region\n", encoding="utf-8")
    assert UnitTaxonomy.default().extend(p).classify("Klinik X").classified_by == "mapping"
    assert UnitTaxonomy.default().extend(str(p)).classify("Klinik X").classified_by == "mapping"
    df = pd.DataFrame({"unit": ["Klinik X"], "domain": ["somatic"], "sector": ["region"]})
    assert UnitTaxonomy.default().extend(df).classify("Klinik X").classified_by == "mapping"
    with pytest.raises(OptionError, match="cannot tell the format"):
        UnitTaxonomy.default().extend(tmp_path / "u.xlsx")
    with pytest.raises(OptionError, match="cannot extend with a int"):
        UnitTaxonomy.default().extend(3)


# --- table_for input handling and display ----------------------------------------------------------

def test_table_for_drops_duplicates_and_nulls_and_keeps_order():
    t = UnitTaxonomy.default().table_for(["Hjemmepleje", None, "Egen læge", "Hjemmepleje", float("nan")])
    assert t["unit"].tolist() == ["Hjemmepleje", "Egen læge"]
    assert list(t.columns) == ["unit", "domain", "sector", "valid_from", "valid_to", "classified_by", "rule"]
    empty = UnitTaxonomy.default().table_for([])
    assert len(empty) == 0 and list(empty.columns) == list(t.columns)
    with pytest.raises(OptionError, match="not a single string"):
        UnitTaxonomy.default().table_for("Hjemmepleje")


def test_taxonomy_repr_and_html():
    n = len(UNIT_RULES)
    assert repr(UnitTaxonomy.default()) == f"UnitTaxonomy: 0 mappings + {n} Danish rules"
    tax = UnitTaxonomy.default().extend({f"Enhed {i}": ("somatic", "region") for i in range(12)})
    assert repr(tax) == f"UnitTaxonomy: 12 mappings + {n} Danish rules"
    page = tax._repr_html_()
    assert page.count("<tr>") == 11 and "… and 2 more" in page
    assert "<th style='text-align:left'>unit</th>" in page
    page = UnitTaxonomy.default()._repr_html_()
    assert "psykiatri / psykiatrisk / psychiatry" in page and f"and {n - 10} more" in page
    assert "&lt;" in UnitTaxonomy.from_dict({"<b>": ("other", "other")})._repr_html_()


# --- Vocabulary ------------------------------------------------------------------------------------

SCHEMA_NAMES = [(name, et) for et, (da, en) in S.EVENT_TYPES.items() for name in (*da, *en)]


def test_schema_names_are_unique_across_event_types():
    seen = {}
    for name, et in SCHEMA_NAMES:
        assert seen.setdefault(name.casefold(), et) == et, name


@pytest.mark.parametrize("name,event_type", SCHEMA_NAMES)
def test_every_schema_name_is_classified(name, event_type):
    voc = Vocabulary.default()
    assert voc.classify(name) == (event_type, "mapping", None)
    assert voc.classify(f"  {name.upper()} ") == (event_type, "mapping", None)
    # the rules alone agree with the vocabulary table on every schema name, except the single English
    # words that could mean something else: the exact name places them, no rule does
    by_rules = Vocabulary(rules=ACTIVITY_RULES).classify(name).event_type
    assert by_rules == ("other" if name in AMBIGUOUS_SCHEMA_WORDS else event_type)


AMBIGUOUS_SCHEMA_WORDS = {"returned", "transfer", "transferred", "closure", "closed"}


ACTIVITY_RULE_CASES = [
    ("Henvisning til DP", "referral"),
    ("Henvisning til udredning", "referral"),          # "Henvisning til X" wins over the X
    ("Henvist til PVK", "referral"),
    ("Referral to cardiology", "referral"),
    ("Ny henvisning fra egen læge", "referral"),
    ("Henvisning modtaget fra egen læge", "referral_received"),
    ("Afslag på henvisning", "referral_rejected"),
    ("Henvisning returneret til egen læge", "referral_returned"),
    ("Akut indlagt", "admission"),
    ("Genindlæggelse", "admission"),
    ("Indlæggelse via skadestue", "admission"),
    ("admit-emergency-inpatient", "admission"),
    ("Indlagt på akutplads", "temporary_stay"),
    ("Udskrevet til eget hjem", "discharge"),
    ("discharge-inpatient-home", "discharge"),
    ("Retur fra orlov", "leave_end"),                  # a leave of absence (MedCom SLOR), not a returned referral
    ("Start på orlov", "leave_start"),
    ("revise-start-leave-inpatient", "other"),        # a correction of an earlier notification, no event
    ("Indlæggelse afsluttet", "discharge"),
    ("Udskrivningsklar fra medicinsk", "ready_for_discharge"),
    ("Varsel om udskrivning sendt", "discharge_notice"),
    ("Epikrise sendt til egen læge", "discharge_letter"),
    ("Overflyttet til medicinsk afdeling", "transfer"),
    ("Første kontakt efter udskrivning", "first_contact"),
    ("Udredning påbegyndt i DP", "assessment_start"),
    ("Udredning afsluttet, diagnose stillet", "assessment_end"),
    ("Start på behandling", "treatment_start"),
    ("Opstart af hjemmesygepleje", "homecare_start"),
    ("Genoptræning opstartet", "rehab_start"),
    ("Genoptræning afsluttet efter plan", "rehab_end"),
    ("GOP modtaget", "care_plan"),
    ("Visitation til korttidsplads", "municipal_assessment"),
    ("Kontakt til vagtlæge", "emergency_contact"),
    ("Opkald til 1813", "emergency_contact"),
    ("Konsultation hos egen læge, telefon", "gp_contact"),
    ("Ambulant kontrol", "outpatient_visit"),
    ("Telefonkonsultation", "outpatient_visit"),
    ("Afsluttet til egen læge", "closure"),
    ("Henvisning afsluttet", "closure"),
    ("Patienten afgik ved døden", "death"),
    ("deceased-inpatient", "death"),
    ("Psykiatrisk visitation", "visitation"),
]


@pytest.mark.parametrize("name,event_type", ACTIVITY_RULE_CASES)
def test_activity_rules(name, event_type):
    c = Vocabulary.default().classify(name)
    assert (c.event_type, c.classified_by) == (event_type, "rule")


@pytest.mark.parametrize("name", ["Kaffe", "Samtale", "Recept udskrevet", "Opfølgning efter indlæggelse"])
def test_unknown_activities_are_other_and_unknown(name):
    assert Vocabulary.default().classify(name) == ("other", "unknown", None)


def test_cancellations_are_deliberately_other():
    c = Vocabulary.default().classify("Aflyst ambulant besøg")
    assert (c.event_type, c.classified_by) == ("other", "rule")
    assert Vocabulary.default().classify("Udeblevet fra første samtale").event_type == "other"


def test_activity_rules_only_produce_schema_event_types():
    for rule in ACTIVITY_RULES:
        assert rule.result[0] in (*S.EVENT_TYPES, S.UNKNOWN_EVENT_TYPE), rule.name


def test_vocabulary_table_for():
    t = Vocabulary.default().table_for(["Henvisning", "Henvisning til DP", "Kaffe", None, "Henvisning"])
    assert list(t.columns) == ["activity", "event_type", "classified_by", "rule"]
    assert t.values.tolist() == [["Henvisning", "referral", "mapping", None],
                                 ["Henvisning til DP", "referral", "rule",
                                  "henvisning til / sendt (navnet begynder med henvisning)"],
                                 ["Kaffe", "other", "unknown", None]]


def test_synthetic_activities_agree_with_the_default_vocabulary():
    from pathways.synthetic import vocabulary as V

    t = Vocabulary.default().table_for([a for a in V.ACTIVITY_NAMES if a != "Indflytning"])
    expected = [(a, et) for a, et in V.ACTIVITIES if a != "Indflytning"]
    assert list(zip(t["activity"], t["event_type"])) == expected
    assert set(t["classified_by"]) == {"mapping"}


def test_vocabulary_extend_user_mapping_wins():
    voc = Vocabulary.default().extend({"Min aktivitet": "referral", "Kontrol": "first_contact"})
    assert repr(voc).startswith("Vocabulary: 2 mappings + ")
    assert voc.classify("min aktivitet") == ("referral", "mapping", None)
    assert voc.classify("Kontrol") == ("first_contact", "mapping", None)
    assert voc.classify("Ambulant kontrol").event_type == "outpatient_visit"     # rules still there
    # extending the other way round keeps built-in names and rules too
    voc2 = Vocabulary.from_dict({"Kontrol": "first_contact"}).extend(Vocabulary.default())
    assert voc2.classify("Kontrol").event_type == "first_contact"
    assert voc2.classify("Udskrivning") == ("discharge", "mapping", None)
    assert voc2.classify("Udskrevet til plejehjem").classified_by == "rule"


def test_vocabulary_bad_event_type_has_did_you_mean():
    with pytest.raises(OptionError) as err:
        Vocabulary.default().extend({"Min aktivitet": "referal"})
    msg = str(err.value)
    assert "'Min aktivitet'" in msg and "event_type='referal' is not allowed" in msg
    assert "'referral_received'" in msg and "Did you mean 'referral'?" in msg
    with pytest.raises(OptionError, match="also mapped to"):
        Vocabulary.from_dict({"Kontrol": "outpatient_visit", "KONTROL": "first_contact"})


def test_vocabulary_from_csv_and_yaml(tmp_path):
    p = tmp_path / "akt.csv"
    p.write_bytes("aktivitet;hændelsestype\nSamtale i DP;outpatient_visit\nFærdig;closure\n".encode("latin-1"))
    t = Vocabulary.default().extend(p).table_for(["Samtale i DP", "færdig", "Udskrivning"])
    assert t.drop(columns="rule").values.tolist() == [["Samtale i DP", "outpatient_visit", "mapping"],
                                 ["færdig", "closure", "mapping"],
                                 ["Udskrivning", "discharge", "mapping"]]
    p.write_text("activity,event_type\nX,admision\n", encoding="utf-8")
    with pytest.raises(OptionError, match=r"'akt.csv' line 2 \(activity 'X'\).*Did you mean 'admission'"):
        Vocabulary.from_csv(p)
    y = tmp_path / "akt.yaml"
    y.write_text("activities:\n  Orlov start: other\n  Flytning til bosted: homecare_start\n", encoding="utf-8")
    voc = Vocabulary.default().extend(y)
    assert voc.classify("Flytning til bosted") == ("homecare_start", "mapping", None)
    assert voc.classify("Orlov start") == ("other", "mapping", None)


def test_vocabulary_repr_and_html():
    voc = Vocabulary.default()
    n_names = len({name.casefold() for name, _ in SCHEMA_NAMES})
    assert repr(voc) == f"Vocabulary: 0 mappings + {n_names} built-in names + {len(ACTIVITY_RULES)} rules"
    assert repr(Vocabulary.from_dict({"A": "death"})) == "Vocabulary: 1 mapping, no rules"
    page = voc.extend({"Min aktivitet": "referral"})._repr_html_()
    assert "<td style='text-align:left'>Min aktivitet</td>" in page and "user" in page and "more" in page


def test_import_is_light():
    code = ("import sys, pathways.taxonomy; "
            "print(any(m.split('.')[0] in ('ibis', 'pm4py', 'duckdb') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_classify_missing_names_and_times():
    tax = UnitTaxonomy.default().extend(MERGER)
    assert tax.classify(None) == ("unknown", "unknown", "unknown", None)
    assert tax.classify("Psykiatrisk Center Nord", at=pd.NaT)[:3] == ("psychiatric", "region", "rule")
    assert Vocabulary.default().classify(None) == ("other", "unknown", None)


# --- issue 22: rules match whole words; a word that could mean something else places nothing ----------

@pytest.mark.parametrize("name", ["transferrine mbv ics", "Return ER", "Transfer", "Wound closure", "Release A"])
def test_english_words_inside_other_words_or_alone_do_not_place_an_activity(name):
    # "transferrine" is a lab test, "Return ER" a return to the emergency room: the old rules made them a
    # transfer and a returned referral ("Transfer" is the exact built-in name, so only the rule is asked)
    assert Vocabulary(rules=ACTIVITY_RULES).classify(name) == ("other", "unknown", None)


@pytest.mark.parametrize("name,event_type,rule", [
    ("Transferred to ICU", "transfer", "overflytning"),
    ("Overflyttet til medicinsk afdeling", "transfer", "overflytning"),
    ("Henvisning returneret til egen læge", "referral_returned", "retur"),
    ("Referral sent back to GP", "referral_returned", "retur"),
    ("Episode closed", "closure", "afslutning"),
])
def test_the_same_words_with_their_context_still_place_the_activity(name, event_type, rule):
    assert Vocabulary.default().classify(name) == (event_type, "rule", rule)


def test_a_user_mapping_places_an_ambiguous_name():
    assert Vocabulary.default().extend({"Return ER": "admission"}).classify("return er") == (
        "admission", "mapping", None)


@pytest.mark.parametrize("unit,expected", [
    # a hospital's pharmacy laboratory is no private pharmacy (8 false cross-sector handovers on a real log)
    ("Pharmacy Laboratory", ("somatic", "region", "rule", "anæstesi / billeddiagnostik / laboratorium")),
    ("Pharmacy", ("unknown", "unknown", "unknown", None)),
    ("Surgery", ("unknown", "unknown", "unknown", None)),  # a GP's surgery in British English
    ("Community pharmacy", ("other", "private", "rule", "tandlæge / apotek")),
    ("Apotek", ("other", "private", "rule", "tandlæge / apotek")),
    ("Apoteket Søndergade", ("other", "private", "rule", "tandlæge / apotek")),  # the definite form too
    ("Sygehusapotek", ("somatic", "region", "rule", "hospital / sygehus")),
    ("General surgery", ("somatic", "region", "rule", "ortopædkirurgisk / kirurgisk")),
    ("Accidental injuries", ("unknown", "unknown", "unknown", None)),  # "dental" inside a word
    ("Psychosomatic clinic", ("unknown", "unknown", "unknown", None)),  # "psychos" inside a word
    ("Distriktspsykiatri", ("psychiatric", "region", "rule", "psykiatri / psykiatrisk / psychiatry")),
])
def test_unit_rules_match_whole_english_words_and_danish_compounds(unit, expected):
    assert UnitTaxonomy.default().classify(unit) == expected


def test_table_for_names_the_rule():
    t = UnitTaxonomy.default().table_for(["Pharmacy Laboratory", "Pharmacy"]).set_index("unit")
    assert t["rule"].tolist() == ["anæstesi / billeddiagnostik / laboratorium", None]
