"""The bundled sample logs (synthetic, with ground truth) in ``pathways/sample_logs/``.

The files are package data, read through :mod:`importlib.resources`, so they
work from an installed wheel as well as from a checkout. See
``sample_logs/README.md`` for the data dictionary.

Examples
--------
>>> from pathways import datasets
>>> datasets.list_samples()
['dirty_extract', 'elderly_medical', 'psychiatry_somatic']
>>> log = datasets.load_sample("elderly_medical")
>>> log.n_cases
2000
"""

from __future__ import annotations

import contextlib
from importlib import resources

from .errors import OptionError, check_choice

#: The sample the ``pathways demo`` command shows.
DEMO_SAMPLE = "dirty_extract"
#: The extract date of every sample (the day after the period 2021-01-01 .. 2023-12-31).
AS_OF = "2024-01-01"

# name -> (file, reader, column mapping, reading options)
_MAPPING_PLAIN = dict(case="case_id", activity="activity", timestamp="timestamp",
                      end_timestamp="end_timestamp", unit="unit", resource="resource",
                      referral_to="referral_to")
_MAPPING_DANISH = dict(case="cpr_pseudo", activity="hændelse", timestamp="tidspunkt",
                       end_timestamp="sluttidspunkt", unit="afsnit", resource="ressource",
                       referral_to="henvist_til")
_SAMPLES = {
    "dirty_extract": ("dirty_extract.csv", "csv", _MAPPING_DANISH, dict(sep=";", dayfirst=True)),
    "elderly_medical": ("elderly_medical.parquet", "parquet", _MAPPING_PLAIN, {}),
    "psychiatry_somatic": ("psychiatry_somatic.parquet", "parquet", _MAPPING_PLAIN, {}),
}
#: The message samples: streams of FHIR messages, read with pw.read_fhir (no column mapping).
_MESSAGES = {
    "hospital_notifications": "hospital_notifications.ndjson.gz",
}
_DESCRIPTIONS = {
    "dirty_extract": "600 patients, every scenario, a dirty Danish CSV export: 50 defective rows and a case named NA",
    "elderly_medical": "2,000 elderly medical patients: readmissions, bed-blocking, Friday discharges",
    "psychiatry_somatic": "3,000 psychiatric patients: loops, psychiatric-somatic bounces, long waits",
    "hospital_notifications": "1,100 patients' hospital stays as MedCom HospitalNotification messages (FHIR NDJSON): "
                              "delays per hospital, missing, revised, cancelled and duplicated messages",
}


def _files():
    return resources.files("pathways") / "sample_logs"


def list_samples(*, messages: bool = False) -> list[str]:
    """Names of the bundled event-log samples, or with ``messages=True`` of the message samples.

    A message sample is a stream of FHIR messages (``hospital_notifications``: MedCom
    HospitalNotification Bundles, one per line), read with :func:`pathways.read_fhir`; its
    truth (:func:`load_truth`) is a :class:`pathways.synthetic.notifications.NotificationTruth`.

    Examples
    --------
    >>> from pathways.datasets import list_samples
    >>> "psychiatry_somatic" in list_samples(), list_samples(messages=True)
    (True, ['hospital_notifications'])
    """
    return sorted(_MESSAGES if messages else _SAMPLES)


def _names() -> list[str]:
    return sorted([*_SAMPLES, *_MESSAGES])


def describe(name: str) -> str:
    """One line about the sample ``name``."""
    check_choice("name", name, _names())
    return _DESCRIPTIONS[name]


def mapping(name: str) -> dict:
    """The column mapping and reading options :func:`load_sample` uses for ``name``."""
    check_choice("name", name, list_samples())
    _file, _reader, cols, opts = _SAMPLES[name]
    return {**cols, **opts}


@contextlib.contextmanager
def sample_path(name: str, *, kind: str = "events"):
    """Context manager giving a real file path of a sample's ``"events"``, ``"truth"`` or ``"xes"`` file.

    Examples
    --------
    >>> from pathways.datasets import sample_path
    >>> with sample_path("dirty_extract") as p:
    ...     p.name
    'dirty_extract.csv'
    """
    check_choice("name", name, _names())
    check_choice("kind", kind, ("events", "truth", "xes"))
    fname = {"events": _MESSAGES[name] if name in _MESSAGES else _SAMPLES[name][0], "truth": f"{name}.truth.json",
             "xes": f"{name}.xes.gz"}[kind]
    res = _files() / fname
    if not res.is_file():
        raise OptionError(f"sample {name!r} has no {kind} file ({fname}) in this installation; "
                          f"the XES copy exists for 'elderly_medical' only.")
    with resources.as_file(res) as p:
        yield p


def load_sample(name: str, **options):
    """The sample ``name`` as a ready :class:`~pathways.EventLog`.

    Parameters
    ----------
    name : str
        One of :func:`list_samples` (or of ``list_samples(messages=True)``: read with
        :func:`pathways.read_fhir`, which takes ``key=`` or the ``PATHWAYS_PSEUDONYM_KEY``
        environment variable).
    **options
        Passed on to the reader (e.g. ``taxonomy=``); the column mapping is fixed.

    Examples
    --------
    >>> import pathways as pw
    >>> log = pw.datasets.load_sample("dirty_extract")
    >>> len(log.rejected)
    25
    """
    import warnings

    import pathways as pw

    check_choice("name", name, _names())
    if name in _MESSAGES:  # the reader's own warnings (e.g. a random pseudonym key) are shown
        with sample_path(name) as p:
            return pw.read_fhir(p, **options)
    _file, reader, cols, opts = _SAMPLES[name]
    read = pw.read_csv if reader == "csv" else pw.read_parquet
    with sample_path(name) as p, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dirty sample's rejected rows are the point of it
        return read(p, **cols, **opts, **options)


def load_truth(name: str):
    """The ground truth of sample ``name`` (:class:`pathways.synthetic.Truth`).

    Examples
    --------
    >>> from pathways.datasets import load_truth
    >>> t = load_truth("dirty_extract")
    >>> int(t.defects["rejected"].sum())
    25
    """
    from .synthetic import Truth
    from .synthetic.notifications import NotificationTruth

    with sample_path(name, kind="truth") as p:
        return NotificationTruth.from_json(p) if name in _MESSAGES else Truth.from_json(p)


__all__ = ["AS_OF", "DEMO_SAMPLE", "describe", "list_samples", "load_sample", "load_truth",
           "mapping", "sample_path"]
