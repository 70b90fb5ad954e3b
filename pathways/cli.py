"""The ``pathways`` command.

    pathways demo                          the full report on the bundled sample extract, into out/
    pathways report FILE -o report.html    the HTML report of an extract (+ --figures-dir: SVG, PNG, CSV)
    pathways map FILE -o map.svg           the unit map (or --kind process: the process map) of an extract
    pathways validate FILE                 the data-quality report (exit 1: rows rejected, 2: unreadable)
    pathways init-config FILE              write a YAML config by guessing the columns of FILE, and
                                           taxonomy and vocabulary templates of its units and activities
    pathways generate --patients N ...     write a synthetic Danish cross-sector log
    pathways bench                         time the analyses and the report on a bundled sample

Columns are mapped with --case/--activity/--timestamp/... or with --config FILE
(a small YAML file; `pathways init-config FILE` writes one). Your own unit
taxonomy, activity vocabulary and reference pathway: --taxonomy, --vocabulary,
--reference FILE (or classification: in the config). Errors are one line and
the fix; --debug shows the traceback.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shlex
import sys
import time
import warnings

#: The roles a config's ``columns:`` may map, and the reading options of ``reading:``.
ROLES = ("case", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to")
READING = ("sep", "encoding", "dayfirst", "timestamp_format", "tz", "engine", "master")
REPORT = ("title", "as_of", "min_count", "language", "thresholds")
#: The user's own classification files (``classification:`` in a config; paths relative to the config's folder).
CLASSIFICATION = ("taxonomy", "vocabulary", "reference")
DEFAULT_TZ = "Europe/Copenhagen"
MAPPING_EXAMPLE = "--case cpr_pseudo --activity haendelse --timestamp tidspunkt --unit afsnit --dayfirst"


# --------------------------------------------------------------------------- progress
class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal.

    Call it as ``progress(done, total, label)``; ``progress.note(text)`` shows a
    line (e.g. "reading ...") until the next update; ``progress.close()`` clears it.
    """

    def __init__(self, stream=None, width: int = 28):
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.t0 = time.perf_counter()
        self._shown = False

    def _write(self, line: str) -> None:
        if not self.enabled:
            return
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._shown = True

    def note(self, text: str) -> None:
        self._write(f"{text} …")

    def __call__(self, done: int, total: int, label: str | None = None) -> None:
        filled = int(self.width * done / max(total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        label = (label or "")[:40]
        self._write(f"[{bar}] {done}/{total} {label} {time.perf_counter() - self.t0:4.1f}s")

    def close(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
        self._shown = False


# --------------------------------------------------------------------------- safe output
def safe_text(text: str, *, one_line: bool = False) -> str:
    r"""``text`` for a terminal: control characters from the data (escape sequences that could clear the
    screen or retitle the window, NUL, carriage returns), the Unicode line and paragraph separators and
    bidi overrides shown as ``\x1b``-style escapes. With ``one_line`` newlines and tabs are escaped too:
    for a name from the data inside a line, which must not start a line of its own.

    Examples
    --------
    >>> safe_text("Afsnit \x1b[2J P1\u202e\nnext line\tok")
    'Afsnit \\x1b[2J P1\\u202e\nnext line\tok'
    >>> print(safe_text("Afsnit A\nFORGED line\r\u2028", one_line=True))
    Afsnit A\nFORGED line\r\u2028
    """
    from .render.dot import UNSAFE

    unsafe = _ONE_LINE if one_line else UNSAFE
    return unsafe.sub(lambda m: ascii(m.group())[1:-1], text).replace("\r", "\\r").replace(
        "\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _one_line_pattern():
    from .render.dot import UNSAFE

    return re.compile(UNSAFE.pattern[:-1] + "\t\n\r\u2028\u2029]")


_ONE_LINE = _one_line_pattern()


def _name(value) -> str:
    """A name from the data or the command line, shown inside a line of output."""
    return safe_text(str(value), one_line=True)


class _SafeStream:
    """stdout while a command runs: every line goes through :func:`safe_text`."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(safe_text(str(text)))

    def __getattr__(self, name):
        return getattr(self._stream, name)


# --------------------------------------------------------------------------- config and mapping
def add_mapping_options(p: argparse.ArgumentParser) -> None:
    """The column mapping and reading options shared by every command that reads an extract."""
    g = p.add_argument_group("columns of the extract (or --config FILE)")
    g.add_argument("--config", metavar="FILE", help="YAML file with the columns and reading options "
                                                    "(`pathways init-config EXTRACT` writes one); options given "
                                                    "on the command line win")
    g.add_argument("--case", help="case id column (patient pseudonym), e.g. cpr_pseudo")
    g.add_argument("--activity", help="activity column, e.g. haendelse")
    g.add_argument("--timestamp", help="event time column, e.g. tidspunkt")
    g.add_argument("--end-timestamp", help="end time column, e.g. sluttidspunkt")
    g.add_argument("--unit", help="unit (department, clinic, municipal service) column, e.g. afsnit")
    g.add_argument("--resource", help="resource column")
    g.add_argument("--referral-to", help="referral target unit column, e.g. henvist_til")
    r = p.add_argument_group("reading")
    r.add_argument("--sep", help="CSV separator (guessed from the header when left out)")
    r.add_argument("--encoding", help="CSV encoding (utf-8, else cp1252, when left out)")
    r.add_argument("--dayfirst", action=argparse.BooleanOptionalAction, default=None,
                   help="read 03-04-2023 as 3 April")
    r.add_argument("--timestamp-format", help="strptime format of the time columns, e.g. '%%d-%%m-%%Y %%H:%%M'")
    r.add_argument("--tz", help=f"zone of naive times (default {DEFAULT_TZ})")
    r.add_argument("--engine", choices=("duckdb", "spark"), help="where the events are read and analysed: duckdb "
                                                                 "(default, in this process) or spark (Parquet only)")
    r.add_argument("--master", metavar="URL", help="Spark master to run on, e.g. spark://host:7077, yarn, "
                                                   "k8s://https://host:443 (implies --engine spark; default: a "
                                                   "local Spark session)")
    c = p.add_argument_group("classification (your own files win over the built-in rules; or classification: in "
                             "--config)")
    c.add_argument("--taxonomy", metavar="FILE", help="units -> domain and sector: a CSV (unit;domain;sector) or "
                                                      "YAML file; units it does not list go through the built-in "
                                                      "rules, else are unknown")
    c.add_argument("--vocabulary", metavar="FILE", help="activities -> event type: a CSV (activity;event_type) or "
                                                        "YAML file; activities it does not list go through the "
                                                        "built-in names and rules")


def load_config(path: str) -> dict:
    """Read a YAML config written by ``pathways init-config`` (or by hand); OptionError when it is not one."""
    import yaml

    from .errors import OptionError, closest
    from .io.options import check_option

    if not os.path.isfile(path):
        raise OptionError(f"no config file at {path!r}. Write one with `pathways init-config EXTRACT -o {path}`.")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise OptionError(f"{path!r} is not valid YAML{line}: {getattr(exc, 'problem', exc)}. Fix the file or "
                          "write a new one with `pathways init-config EXTRACT`.") from None
    except UnicodeDecodeError as exc:
        raise OptionError(f"{path!r} is not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset "
                          f"{exc.start}): a config is a small YAML file. Write one with `pathways init-config "
                          "EXTRACT`.") from None
    if not isinstance(data, dict):
        raise OptionError(f"{path!r} must hold a mapping with 'columns:' (and optionally 'reading:', 'report:', "
                          "'classification:').")
    allowed = {"columns": ROLES, "reading": READING, "report": REPORT, "classification": CLASSIFICATION,
               "file": None}
    problems = []  # values of columns: and reading:, checked as the readers check them
    for key, value in data.items():
        if key not in allowed:
            hint = closest(str(key), allowed)
            section = next((k for k, names in allowed.items() if names and closest(str(key), names)), None)
            fix = f" Did you mean {hint!r}?" if hint else ""
            if section is not None:  # e.g. taxonomy: at the top: a setting of classification:
                fix = f" {key!r} looks like a setting of {section}: write it indented under '{section}:'."
            raise OptionError(f"{path!r}: unknown section {key!r}; the sections are columns, reading, report, "
                              "classification." + fix)
        if allowed[key] is None:
            continue
        if value is None:
            data[key] = {}
            continue
        if not isinstance(value, dict):
            raise OptionError(f"{path!r}: {key!r} must be a mapping (name: value).")
        for name in value:
            if name not in allowed[key]:
                hint = closest(str(name), allowed[key])
                raise OptionError(f"{path!r}: unknown setting {key}.{name}; allowed: {', '.join(allowed[key])}."
                                  + (f" Did you mean {hint!r}?" if hint else ""))
            if key in ("columns", "reading") and value[name] is not None:  # null: not set
                try:
                    check_option(name, value[name])
                except OptionError as exc:
                    example = f"{name}: true" if name == "dayfirst" else f'{name}: "..." (text in quotes)'
                    problems.append(f"{path!r}, setting {key}.{name}: {exc} In the file, write e.g. {example}.")
            if key == "classification" and value[name] is not None:  # a path, relative to the config's folder
                if not isinstance(value[name], str) or not value[name].strip():
                    problems.append(f"{path!r}, setting classification.{name}: expected a file name, found "
                                    f"{value[name]!r}. In the file, write e.g. {name}: \"extract.{name}.csv\" "
                                    "(relative to the config's folder).")
                else:
                    value[name] = os.path.join(os.path.dirname(os.path.abspath(path)), value[name].strip())
    if problems:
        raise OptionError("\n".join(problems))
    return data


def resolve(args: argparse.Namespace) -> dict:
    """The column mapping, reading and report options: command line first, then the config, then defaults."""
    config = load_config(args.config) if getattr(args, "config", None) else {}
    cols, reading, rep, classes = (config.get(k) or {} for k in ("columns", "reading", "report", "classification"))
    out = {}
    for role in ROLES:
        value = getattr(args, role, None)
        out[role] = value if value is not None else cols.get(role)
    for name in READING:
        value = getattr(args, name, None)
        out[name] = value if value is not None else reading.get(name)
    for name in CLASSIFICATION:
        value = getattr(args, name, None)
        out[name] = value if value is not None else classes.get(name)
    out["tz"] = out["tz"] or DEFAULT_TZ
    out["dayfirst"] = bool(out["dayfirst"])
    out["report"] = rep
    return out


def _user_file(path: str, flag: str, kinds: dict):
    """Read the user's ``flag`` file with the reader its suffix names in ``kinds`` ({suffixes: reader}); a
    missing file, another suffix or a file the reader cannot parse is an OptionError saying the fix."""
    from .errors import OptionError, PathwaysError

    if not os.path.isfile(path):
        raise OptionError(f"{flag}: no file at {path!r}. Check the path (on the command line relative to the "
                          "shell's folder, in a config relative to the config's folder).")
    lower = path.lower()
    reader = next((fn for suffixes, fn in kinds.items() if lower.endswith(suffixes)), None)
    if reader is None:
        known = ", ".join(x for suffixes in kinds for x in suffixes)
        raise OptionError(f"{flag} {path!r}: expected a file ending in {known}; found "
                          f"{os.path.splitext(path)[1] or 'no suffix'!r}. Rename or convert the file.")
    try:
        return reader(path)
    except PathwaysError as exc:
        raise OptionError(f"{flag} {path!r}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - yaml, pandas and the XML parsers each raise their own
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise OptionError(f"{flag} {path!r} cannot be read: {first}. Fix the file (`pathways init-config "
                          "EXTRACT` writes templates of the taxonomy and the vocabulary).") from None


def load_taxonomy(path: str):
    """The built-in rules extended by the user's taxonomy file (CSV or YAML): the file's names win over the
    rules; names it does not list still go through the rules, else are ``unknown``."""
    from .taxonomy import UnitTaxonomy

    user = _user_file(path, "--taxonomy", {(".csv", ".txt"): UnitTaxonomy.from_csv,
                                           (".yaml", ".yml"): UnitTaxonomy.from_yaml})
    return UnitTaxonomy.default().extend(user)


def load_vocabulary(path: str):
    """The built-in vocabulary extended by the user's file (CSV or YAML): its names win over the built-in
    names and rules."""
    from .taxonomy import Vocabulary

    user = _user_file(path, "--vocabulary", {(".csv", ".txt"): Vocabulary.from_csv,
                                             (".yaml", ".yml"): Vocabulary.from_yaml})
    return Vocabulary.default().extend(user)


def _reference_yaml(path: str):
    """A ``pw.ReferencePathway`` from YAML: ``steps:`` (and optionally ``name:``), or a bare list of steps; a
    step is a name or a mapping with ``name`` and optionally ``within``, ``after``, ``optional``."""
    import yaml

    import pathways as pw

    from .errors import OptionError

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    name = "reference pathway"
    if isinstance(data, dict):
        unknown = sorted(set(map(str, data)) - {"name", "steps"})
        if unknown:
            raise OptionError(f"unknown key {unknown[0]!r}; a reference file has 'name:' and 'steps:'.")
        name, data = str(data.get("name") or name), data.get("steps")
    if not isinstance(data, list):
        raise OptionError(f"expected a list of steps, found {type(data).__name__}; write e.g. steps: [Registration, "
                          "{name: Triage, within: 1h}, {name: Antibiotics, within: 1h, optional: true}].")
    steps = []
    for i, item in enumerate(data, start=1):
        if isinstance(item, dict):
            keys = set(map(str, item)) - {"name", "within", "after", "optional"}
            if keys or "name" not in item:
                raise OptionError(f"step {i}: expected the keys name, within, after, optional; found "
                                  f"{', '.join(map(str, item))}.")
            item = pw.Step(str(item["name"]), within=item.get("within"), after=item.get("after"),
                           optional=item.get("optional", False))
        elif not isinstance(item, str):
            raise OptionError(f"step {i} is {item!r}; write a name or {{name: ..., within: ...}}.")
        steps.append(item)
    return pw.ReferencePathway(steps, name=name)


def load_reference(path: str):
    """The reference pathway of a ``--reference`` file: a process model (.pnml, .bpmn) or a YAML list of steps."""
    import pathways as pw

    return _user_file(path, "--reference", {(".pnml",): pw.read_pnml, (".bpmn",): pw.read_bpmn,
                                            (".yaml", ".yml"): _reference_yaml})


def read_extract(path: str, args: argparse.Namespace, progress: Progress | None = None):
    """Read ``path`` with the reader its suffix names, mapped as the options (and ``--config``) say."""
    return open_extract(path, resolve(args), progress)


def open_extract(path: str, opts: dict, progress: Progress | None = None):
    """Read ``path`` with the reader its suffix names, with the resolved options ``opts`` (see :func:`resolve`)."""
    import pathways as pw

    from .errors import OptionError

    from .io.read import reader_for

    kind = reader_for(path) if not _spark_uri(path) else "read_parquet"
    missing = [r for r in ("case", "activity", "timestamp") if not opts[r]]
    is_parquet = kind == "read_parquet"
    engine = {"engine": "spark"} if _spark_engine(path, opts, kind) else {}
    if len(missing) == 3 and _written_by_pathways(path) and not (opts.get("taxonomy") or opts.get("vocabulary")):
        if progress is not None:
            progress.note(f"reading {os.path.basename(path)} (written by pathways: its mapping and classes)")
        return pw.read_parquet(path, **engine)
    # XES and FHIR name their own columns; a Parquet file whose columns have the canonical names needs no mapping
    # (read_parquet says so, or what it needs)
    if missing and kind not in ("read_xes", "read_fhir") and not (is_parquet and len(missing) == 3):
        raise OptionError(f"the column mapping lacks {', '.join('--' + m for m in missing)}. Name the columns, "
                          f"e.g. {MAPPING_EXAMPLE}, or pass --config FILE (`pathways init-config {path}` "
                          "writes one by guessing the columns).")
    given = [f"--{r.replace('_', '-')}" for r in (*ROLES, "dayfirst", "timestamp_format") if opts.get(r)]
    if kind == "read_fhir" and given:
        raise OptionError(f"{os.path.basename(path)!r} is FHIR, which names its own columns and times: leave out "
                          f"{', '.join(given)}.")
    options = {"tz": opts["tz"]}
    if kind != "read_fhir":
        options.update({r: opts[r] for r in ROLES}, dayfirst=opts["dayfirst"], timestamp_format=opts["timestamp_format"])
    if kind == "read_csv":
        options.update(sep=opts["sep"], encoding=opts["encoding"])
    options.update(engine)
    if opts.get("taxonomy"):
        options["taxonomy"] = load_taxonomy(opts["taxonomy"])
    if opts.get("vocabulary"):
        options["vocabulary"] = load_vocabulary(opts["vocabulary"])
    if progress is not None:
        progress.note(f"reading {os.path.basename(path)}")
    return pw.read(path, **{k: v for k, v in options.items() if v is not None})


def _spark_uri(path: str) -> bool:
    """A path Spark reads (``s3a://...``, ``dbfs:/...``): Parquet on a cluster's file system."""
    return "://" in path or path.startswith("dbfs:")


def _spark_engine(path: str, opts: dict, kind: str) -> bool:
    """Whether ``--engine spark`` (or ``--master URL``) asks for Spark; with ``--master`` the session of that
    cluster is started here and the reader uses it. OptionError for a file Spark does not read."""
    from .errors import OptionError

    engine, master = opts.get("engine") or ("spark" if opts.get("master") else "duckdb"), opts.get("master")
    if engine == "duckdb" and master:
        raise OptionError("--master runs on Spark: leave out --engine duckdb, or leave out --master.")
    if engine != "spark":
        return False
    if kind not in ("read_parquet", "read_fhir"):
        raise OptionError(f"--engine spark reads Parquet files (or folders of them) and FHIR, not "
                          f"{os.path.basename(path)!r}. Convert the extract to Parquet first, or leave out --engine "
                          "spark and --master.")
    if master:
        from . import spark_session

        spark_session.connect(master)
    return True


def _written_by_pathways(path: str) -> bool:
    """Whether ``path`` is one Parquet file written by ``pw.write_parquet`` (it carries its mapping)."""
    from .io.metadata import stored

    return path.lower().endswith((".parquet", ".pq")) and os.path.isfile(path) and stored(path, path) is not None


def _print_log(log, report) -> None:
    print(repr(log))
    print()
    print(report.text())


# --------------------------------------------------------------------------- validate
def cmd_validate(args: argparse.Namespace) -> int:
    import pathways as pw

    progress = Progress()
    try:
        log = read_extract(args.file, args, progress)
        progress.note("checking")
        qr = pw.quality_report(log, as_of=args.as_of)
    finally:
        progress.close()
    _print_log(log, qr)
    return 1 if len(log.rejected) else 0


# --------------------------------------------------------------------------- report
def _thresholds(items, from_config) -> dict | None:
    from .errors import OptionError

    out = dict(from_config or {})
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"--threshold {item!r}: write it as NAME=DURATION, e.g. --threshold "
                              "udredningsret=30D (the rule names are in pw.GUARANTEES).")
        out[name.strip()] = None if value.strip().lower() in ("", "none") else value.strip()
    return out or None


def _findings(rep) -> None:
    print(f"Report written to {_name(rep.path)}")
    if rep.files:
        print(f"Figures and tables ({len(rep.files)} files) in {_name(os.path.dirname(rep.files[0]))}")
    if rep.findings:
        print("\nMain findings:")
        for i, line in enumerate(rep.findings, start=1):
            print(f"  {i}. {_name(line)}")


def _inputs(args: argparse.Namespace) -> list:
    """The files a command reads: no output may replace one of them."""
    return [getattr(args, name, None) for name in ("file", "config", *CLASSIFICATION)]


def cmd_report(args: argparse.Namespace) -> int:
    import pathways as pw

    from .files import check_output, output_folder

    check_output(args.output, inputs=_inputs(args), make_dirs=args.make_dirs)  # before the extract is read
    if args.figures_dir is not None:
        output_folder(args.figures_dir, make_dirs=args.make_dirs, create=False)
    resolved = resolve(args)
    reference = load_reference(resolved["reference"]) if resolved["reference"] else None  # before the read
    progress = Progress()
    try:
        log = open_extract(args.file, resolved, progress)
        rep_cfg = resolved["report"]
        opts = dict(title=args.title or rep_cfg.get("title"),
                    as_of=args.as_of or rep_cfg.get("as_of"),
                    min_count=args.min_count if args.min_count is not None else int(rep_cfg.get("min_count") or 5),
                    language=args.language or rep_cfg.get("language") or "da",
                    thresholds=_thresholds(args.threshold, rep_cfg.get("thresholds")))
        rep = pw.report(log, args.output, figures_dir=args.figures_dir, make_dirs=args.make_dirs, progress=progress,
                        reference=reference, **opts)
    finally:
        progress.close()
    if len(log.rejected):  # the report's suppression rule: a count under min_count reads "<5" here too
        f = pw.Formatter("en", opts["min_count"])
        print(f"{f.count(len(log.rejected))} of {f.int(log.n_read)} rows were rejected; the report's first section "
              "lists why.")
    _findings(rep)
    return 0


# --------------------------------------------------------------------------- map
def cmd_map(args: argparse.Namespace) -> int:
    import pathways as pw

    from .files import check_output
    from .errors import OptionError

    check_output(args.output, inputs=_inputs(args), make_dirs=args.make_dirs)  # before the extract is read
    progress = Progress()
    try:
        log = read_extract(args.file, args, progress)
        min_count = args.min_count if args.min_count is not None else \
            int(resolve(args)["report"].get("min_count") or 5)
        if args.kind == "unit":
            if not log.has("unit"):
                raise OptionError("a unit map needs the unit column: pass --unit COLUMN (e.g. --unit afsnit), or "
                                  "--kind process for the process map of the activities.")
            d = pw.unit_map(log, min_count=min_count, title=args.title)
        else:
            d = pw.process_map(log, min_count=min_count, title=args.title,
                               highlight=["loops", "psychiatric_somatic"] if log.has("unit") else None)
        progress.note(f"drawing {os.path.basename(args.output)}")
        path = d.save(args.output, make_dirs=args.make_dirs)
    finally:
        progress.close()
    print(f"{_name(repr(d))}\nwritten to {_name(path)}")
    return 0


# --------------------------------------------------------------------------- init-config
_CANDIDATES = {
    "case": ["cpr_pseudo", "cpr", "pseudo_cpr", "cprnr", "patient_id", "patientid", "patient", "pt_id", "pt",
             "case_id", "caseid", "case", "case_concept_name", "borger_id", "borger", "person_id", "person",
             "pseudonym", "forloeb_id", "forloebs_id", "episode_id", "id"],
    "activity": ["haendelse", "aktivitet", "activity", "concept_name", "event", "haendelsestype", "handling",
                 "kontakttype", "kontakt_type", "ydelse", "aktivitetsnavn", "event_name"],
    "end_timestamp": ["sluttidspunkt", "slut_tidspunkt", "sluttid", "slutdato", "slut_dato", "end_timestamp",
                      "end_time", "endtime", "end", "slut", "udskrivningstidspunkt"],
    "timestamp": ["tidspunkt", "starttidspunkt", "start_tidspunkt", "dato_tid", "datotid", "timestamp",
                  "time_timestamp", "datetime", "tid", "time", "dato", "date", "start_time", "starttid",
                  "startdato", "start"],
    "unit": ["afsnit", "enhed", "unit", "afdeling", "department", "klinik", "org_group", "organisation",
             "organisatorisk_enhed", "sted", "location", "ward"],
    "resource": ["ressource", "resource", "org_resource", "medarbejder", "personale", "rolle", "role",
                 "behandler"],
    "referral_to": ["henvist_til", "henvisning_til", "henvises_til", "referral_to", "referred_to", "til_enhed",
                    "modtager", "modtagende_enhed"],
}
_SUBSTRINGS = {
    "case": ["cpr", "patient", "pseudo", "case", "borger"],
    "activity": ["haendelse", "aktivitet", "activity", "event"],
    "end_timestamp": ["slut", "end"],
    "timestamp": ["tidspunkt", "timestamp", "dato", "date", "time"],
    "unit": ["afsnit", "enhed", "afdeling", "unit", "department"],
    "resource": ["ressource", "resource"],
    "referral_to": ["henvist", "referral"],
}


def _norm(name: str) -> str:

    s = str(name).strip().lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def guess_columns(header: list[str]) -> dict:
    """Guess which column of ``header`` plays each role (Danish and English names); None when no guess.

    Exact names first (``cpr_pseudo``, ``haendelse``/``hændelse``, ``tidspunkt``,
    ``afsnit`` ...), then names containing a keyword; each column is used once.

    Examples
    --------
    >>> g = guess_columns(["cpr_pseudo", "hændelse", "tidspunkt", "sluttidspunkt", "afsnit", "alder"])
    >>> g["case"], g["activity"], g["timestamp"], g["end_timestamp"], g["unit"], g["resource"]
    ('cpr_pseudo', 'hændelse', 'tidspunkt', 'sluttidspunkt', 'afsnit', None)
    >>> guess_columns(["Patient ID", "Activity", "Start Time", "Department"])["timestamp"]
    'Start Time'
    """
    normed = {h: _norm(h) for h in header}
    out: dict = {r: None for r in ROLES}
    used: set = set()
    for role in ROLES:  # exact names, in the order of preference
        for cand in _CANDIDATES[role]:
            hit = next((h for h in header if normed[h] == cand and h not in used), None)
            if hit is not None:
                out[role] = hit
                used.add(hit)
                break
    order = ["end_timestamp", "referral_to", "case", "activity", "timestamp", "unit", "resource"]
    for role in order:  # then names containing a keyword
        if out[role] is not None:
            continue
        for key in _SUBSTRINGS[role]:
            hits = [h for h in header if key in normed[h] and h not in used]
            if role == "timestamp":
                hits = [h for h in hits if not any(x in normed[h] for x in ("slut", "end", "foed", "birth"))]
            if hits:
                out[role] = hits[0]
                used.add(hits[0])
                break
    return out


def sniff_extract(path: str) -> tuple[list[str], list[dict], dict]:
    """The header, up to 200 sample rows (as text) and the reading options of an extract (CSV, Parquet, Excel).

    A folder stands for the Parquet files in it (the first one is read). EventLogError when the file cannot
    be read as what its name says.
    """
    import glob

    from .errors import EventLogError, OptionError

    lower = path.lower()
    if not os.path.exists(path):
        raise EventLogError(f"no file at {path!r}. Check the path.")
    if lower.endswith((".xes", ".xes.gz")):
        raise OptionError(f"{path!r} is an XES file, whose columns have standard names (concept:name, "
                          "time:timestamp, org:group): it needs no config. Run `pathways report "
                          f"{path} -o report.html` directly.")
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
        if not files:
            raise EventLogError(f"{path!r} is a folder without *.parquet files; give the extract file (CSV, Parquet "
                                "or Excel).")
        path, lower = files[0], files[0].lower()
    kind = "Parquet" if lower.endswith((".parquet", ".pq")) else "Excel" if lower.endswith((".xlsx", ".xlsm")) \
        else "CSV"
    try:
        return _sniff(path, kind)
    except (EventLogError, OptionError):
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow, openpyxl, zipfile and csv each raise their own
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        article = "an" if kind == "Excel" else "a"
        raise EventLogError(f"cannot read {path!r} as {kind}: {first}. Is it {article} {kind} file? Check the "
                            "file, or export it again from the source.") from None


def _sniff(path: str, kind: str) -> tuple[list[str], list[dict], dict]:
    import csv
    import io

    from .errors import EventLogError
    from .textfile import sniff

    if kind == "Parquet":
        import pyarrow.parquet as pq

        f = pq.ParquetFile(path)
        table = f.read_row_group(0) if f.num_row_groups else f.schema_arrow.empty_table()
        rows = table.slice(0, 200).to_pylist()
        return list(f.schema_arrow.names), [{k: (None if v is None else str(v)) for k, v in r.items()}
                                            for r in rows], {}
    if kind == "Excel":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            it = wb.worksheets[0].iter_rows(values_only=True)
            header = [str(h) for h in next(it, ())]
            rows = []
            for _, r in zip(range(200), it):
                rows.append({h: (None if v is None else str(v)) for h, v in zip(header, r)})
        finally:
            wb.close()
        return header, rows, {}
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise EventLogError(f"{path!r} is empty: a CSV extract needs a header line and one row per event.")
    encoding, sep, header = sniff(head, None, None)
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise EventLogError(f"{path!r} is not text in {encoding} (byte {head[exc.start:exc.start + 1]!r} at "
                                f"offset {exc.start}): is it a CSV file? Export the extract again as CSV.") from None
        text = head[:exc.start].decode(encoding)
    if "\x00" in text:
        raise EventLogError(f"{path!r} holds NUL bytes, so it is not a CSV text file (a spreadsheet or database "
                            "file named .csv?). Export the extract again as CSV.")
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    rows = [r for _, r in zip(range(200), reader)]
    header = [h.lstrip("\ufeff") for h in header]
    return header, rows, {"sep": sep, "encoding": encoding}


def _dayfirst(values) -> bool | None:

    values = [str(v).strip() for v in values if v not in (None, "")]
    if not values:
        return None
    if sum(bool(re.match(r"^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}", v)) for v in values) > len(values) / 2:
        return True
    if sum(bool(re.match(r"^\d{4}-\d{2}-\d{2}", v)) for v in values) > len(values) / 2:
        return False
    return None


def _yaml_value(v) -> str:
    import json

    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a YAML string


def classification_templates(log) -> dict:
    """The taxonomy and vocabulary templates of an extract, as ``;``-separated CSV text.

    One line per distinct unit (``unit;domain;sector;events;placed_by``) and per
    activity (``activity;event_type;events;placed_by``), most events first;
    domain, sector and event type are filled in where the built-in rules or names
    place the name (``placed_by`` says which rule) and empty where they do not,
    for the user to fill in. A line left empty maps nothing, so the templates can
    be used as written (``UnitTaxonomy.from_csv`` / ``Vocabulary.from_csv``). A
    name a spreadsheet would run as a formula starts with an apostrophe, which
    those readers drop.
    """
    import csv
    import io

    from .publish.tables import safe_cell

    def text(frame, columns) -> str:
        frame = frame.copy()
        frame[columns[0]] = frame[columns[0]].map(safe_cell)  # '=x for a spreadsheet; the readers drop the 
        placed = frame["classified_by"] != "unknown"
        rule = frame["rule"] if "rule" in frame else None
        frame["placed_by"] = [("" if not p else "rule: " + str(r) if c == "rule" and isinstance(r, str) else
                               "built-in name" if c == "mapping" else str(c))
                              for p, c, r in zip(placed, frame["classified_by"],
                                                 rule if rule is not None else [None] * len(frame))]
        for col in columns[1:-2]:
            frame[col] = frame[col].where(placed, "")
        buf = io.StringIO()
        frame.rename(columns={"n_events": "events"})[columns].to_csv(
            buf, sep=";", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        return "\ufeff" + buf.getvalue()  # UTF-8 with a byte-order mark: Excel shows æ, ø and å

    out = {}
    if log.has("unit"):
        units = log.units.drop_duplicates("unit")  # a unit with validity periods: its most frequent class
        out["taxonomy"] = text(units, ["unit", "domain", "sector", "events", "placed_by"])
    out["vocabulary"] = text(log.activities.drop_duplicates("activity"), ["activity", "event_type", "events",
                                                                         "placed_by"])
    return out


def config_text(path: str, header: list[str], guess: dict, reading: dict, dayfirst,
                classification: dict | None = None) -> str:
    """The YAML text of a config for ``path`` (comments say what was guessed and what to check); with
    ``classification`` ({name: path relative to the config}), the ``classification:`` section points at them."""
    # names from the file go into comments as JSON strings: a line break in a name cannot start a YAML line
    name = _yaml_value(os.path.basename(path))[1:-1]
    lines = [f"# pathways config for {name}, written by `pathways init-config` by guessing",
             "# from the header. Check the columns, then run:",
             f"#   pathways report {name} --config <this file> -o report.html",
             f"# Columns in the file: {', '.join(_yaml_value(h) for h in header)}", "", "columns:"]
    for role in ROLES:
        note = "" if guess[role] else "  # not found: name the column or leave null"
        if role in ("case", "activity", "timestamp") and not guess[role]:
            note = "  # REQUIRED: name the column"
        lines.append(f"  {role}: {_yaml_value(guess[role])}{note}")
    lines += ["", "reading:"]
    lines.append(f"  sep: {_yaml_value(reading.get('sep'))}")
    lines.append(f"  encoding: {_yaml_value(reading.get('encoding'))}")
    lines.append(f"  dayfirst: {_yaml_value(bool(dayfirst))}" + ("" if dayfirst is not None else
                                                                   "  # could not tell from the values"))
    lines.append("  timestamp_format: null  # e.g. \"%d-%m-%Y %H:%M\" when the times are unusual")
    lines.append(f"  tz: {_yaml_value(DEFAULT_TZ)}")
    lines += ["", "report:", "  title: null", "  as_of: null  # the extract date, e.g. \"2024-01-01\"; default: "
              "the last event", "  min_count: 5", "  language: da  # da or en",
              "  thresholds: {}  # e.g. {udredningsret: 30D}; the rules are in pw.GUARANTEES", ""]
    classification = classification or {}
    lines += ["# Your own names (paths relative to this file): fill in the empty domain/sector/event_type",
              "# cells of the templates; what you write wins over the built-in rules, and a line left empty",
              "# stays with the rules, else unknown.", "classification:"]
    for name in CLASSIFICATION:
        lines.append(f"  {name}: {_yaml_value(classification.get(name))}"
                     + ("  # the agreed pathway: a .pnml, .bpmn or YAML steps file" if name == "reference" else ""))
    return "\n".join(lines + [""])


def cmd_init_config(args: argparse.Namespace) -> int:
    header, rows, reading = sniff_extract(args.file)
    guess = guess_columns(header)
    dayfirst = _dayfirst([r.get(guess["timestamp"]) for r in rows]) if guess["timestamp"] else None
    from .files import check_output, write_atomically
    from .errors import OptionError

    out = args.output or os.path.splitext(args.file)[0] + ".pathways.yaml"
    check_output(out, inputs=[args.file], make_dirs=args.make_dirs)
    if os.path.exists(out) and not args.force:
        raise OptionError(f"{out!r} exists; pass --force to overwrite it or -o to write another file.")
    from .errors import PathwaysError

    missing = [r for r in ("case", "activity", "timestamp") if not guess[r]]
    written, kept, classification, unread = [], [], {}, None
    if not missing:
        try:
            written, kept, classification = _write_templates(args, out, guess, reading, dayfirst)
        except PathwaysError as exc:  # the config is still worth writing: it is where the mapping gets fixed
            unread = (str(exc).splitlines() or [type(exc).__name__])[0]
    write_atomically(out, config_text(args.file, header, guess, reading, dayfirst, classification),
                     inputs=[args.file], make_dirs=args.make_dirs)
    print(f"wrote {_name(out)}")
    for path in written:
        print(f"wrote {_name(path)}: fill in the empty cells (your names win over the built-in rules)")
    for path in kept:
        print(f"kept {_name(path)}: it exists, so it was not replaced (delete it for a new template)")
    for role in ROLES:
        print(f"  {role:<14} {_name(guess[role]) if guess[role] is not None else '(not found)'}")
    if reading:
        print(f"  separator {reading['sep']!r}, encoding {_name(reading['encoding'])}, dayfirst {bool(dayfirst)}")
    if unread is not None:
        print(f"pathways: the extract could not be read as guessed, so no taxonomy or vocabulary template was "
              f"written: {_name(unread)} Fix the reading options in {_name(out)} (`pathways validate "
              f"{_name(args.file)} --config {_name(out)}` checks them).", file=sys.stderr)
        return 1
    if missing:
        print(f"pathways: could not guess {', '.join(missing)}: edit {_name(out)} and name the column(s).",
              file=sys.stderr)
        return 1
    return 0


def _write_templates(args, config: str, guess: dict, reading: dict, dayfirst) -> tuple[list, list, dict]:
    """Read the extract as guessed and write its taxonomy and vocabulary templates beside ``config``, never over
    an existing file (that is the user's work: kept, and still named). Returns (written, kept, {name: path
    relative to the config})."""
    from .files import write_atomically

    opts = {r: guess[r] for r in ROLES}
    opts.update(sep=reading.get("sep"), encoding=reading.get("encoding"), dayfirst=bool(dayfirst),
                timestamp_format=None, tz=DEFAULT_TZ)
    log = open_extract(args.file, opts)
    if len(log.rejected):
        print(f"pathways: {len(log.rejected):,} of {log.n_read:,} rows could not be used as guessed and are left out "
              f"of the templates; `pathways validate {_name(args.file)} --config {_name(config)}` says why.",
              file=sys.stderr)
    stem = os.path.basename(config)
    for suffix in (".yaml", ".yml", ".pathways"):
        stem = stem[:-len(suffix)] if stem.lower().endswith(suffix) and len(stem) > len(suffix) else stem
    written, kept, names = [], [], {}
    for name, text in classification_templates(log).items():
        path = os.path.join(os.path.dirname(config), f"{stem}.{name}.csv")  # as the user named the config
        if os.path.exists(path):
            kept.append(path)
        else:
            write_atomically(path, text, inputs=[args.file], make_dirs=args.make_dirs)
            written.append(path)
        names[name] = os.path.basename(path)
    return written, kept, names


# --------------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    import pathways as pw
    from pathways import datasets

    from .files import output_folder, write_atomically

    output_folder(args.out, make_dirs=args.make_dirs, create=False)  # the folder is the demo's own: created

    name = datasets.DEMO_SAMPLE
    print(f"Sample extract {name!r} ({datasets.describe(name)})\n")
    progress = Progress()
    try:
        progress.note("reading the sample extract")
        log = datasets.load_sample(name)
        qr = pw.quality_report(log, as_of=datasets.AS_OF)
        print(repr(log))
        print(qr.summary())
        output_folder(args.out, make_dirs=args.make_dirs)
        figures = os.path.join(args.out, "figures")
        t0 = time.perf_counter()
        rep = pw.report(log, os.path.join(args.out, "report.html"), as_of=datasets.AS_OF, language=args.language,
                        figures_dir=figures, progress=progress,
                        title="Forløbsrapport: eksempeludtræk" if args.language == "da" else
                        "Care-pathway report: sample extract")
        seconds = time.perf_counter() - t0
    finally:
        progress.close()
    unit_map = next((p for p in rep.files if p.name.endswith("_unit_map.svg")), None)
    if unit_map is not None:  # the unit map on its own too, where earlier versions wrote it
        write_atomically(os.path.join(args.out, "unit_map.svg"), unit_map.read_bytes())
    print(f"\nReport written to {_name(rep.path)} in {seconds:.1f} s; figures and tables ({len(rep.files)} files) in "
          f"{_name(figures)}")
    print("\nMain findings:")
    for i, line in enumerate(rep.findings, start=1):
        print(f"  {i}. {_name(line)}")
    return 0


# --------------------------------------------------------------------------- bench
def _repo_benchmarks() -> str | None:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for base in (os.getcwd(), here):
        d = os.path.join(base, "benchmarks")
        if os.path.isfile(os.path.join(d, "analyses.py")):
            return d
    return None


def cmd_bench(args: argparse.Namespace) -> int:
    import platform
    import subprocess
    import tempfile

    from .errors import OptionError

    if args.full:
        d = _repo_benchmarks()
        if d is None:
            raise OptionError("--full runs the scripts in the repository's benchmarks/ folder, and there is none "
                              "here; run it from a source checkout, or leave --full out for the quick timing.")
        status = 0
        for script in ("foundation.py", "analyses.py"):
            path = os.path.join(d, script)
            if os.path.isfile(path):
                print(f"$ {os.path.basename(sys.executable)} benchmarks/{script}", flush=True)
                status = max(status, subprocess.call([sys.executable, path]))
        return status

    import pathways as pw
    from pathways import datasets

    def best(fn, fresh: bool = True):
        """Best of ``--repeat`` runs of ``fn(log)``, each on a log read just before (not timed)."""
        times = []
        for _ in range(max(args.repeat, 1)):
            lg = datasets.load_sample(name) if fresh else None
            t0 = time.perf_counter()
            fn(lg)
            times.append(time.perf_counter() - t0)
        return min(times)

    name = args.sample
    if name not in datasets.list_samples():
        raise OptionError(f"--sample {name!r} is not a bundled sample; choose one of "
                          f"{', '.join(datasets.list_samples())}.")
    print(f"pathways {pw.__version__} on Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"sample {name!r}, best of {args.repeat} (each run on a fresh log, so nothing is reused)\n")
    t_read = best(lambda _: len(datasets.load_sample(name)), fresh=False)
    log = datasets.load_sample(name)
    print(f"{'step':<28}{'seconds':>9}")
    print(f"{'read + validate':<28}{t_read:9.3f}   {len(log):,} events, {log.n_cases:,} cases")
    as_of = datasets.AS_OF
    steps = [
        ("transitions", lambda lg: pw.transitions(lg)),
        ("handovers", lambda lg: pw.handovers(lg)),
        ("circular_referrals", lambda lg: pw.circular_referrals(lg)),
        ("waiting_times", lambda lg: pw.waiting_times(lg, start="referral_received", end="assessment_start",
                                                      threshold="30D", as_of=as_of)),
        ("guarantees", lambda lg: pw.guarantees(lg, as_of=as_of)),
        ("readmissions", lambda lg: pw.readmissions(lg, acute=None)),
        ("discharge_timing", lambda lg: pw.discharge_timing(lg)),
        ("case_summary", lambda lg: pw.case_summary(lg)),
    ]
    progress = Progress()
    total = 0.0
    try:
        for i, (label, fn) in enumerate(steps, start=1):
            progress(i - 1, len(steps) + 1, label)
            secs = best(fn)
            total += secs
            progress.close()
            print(f"{label:<28}{secs:9.3f}")
        with tempfile.TemporaryDirectory() as tmp:
            progress(len(steps), len(steps) + 1, "report")
            t_rep = best(lambda lg: pw.report(lg, os.path.join(tmp, "r.html"), as_of=as_of))
            progress.close()
    finally:
        progress.close()
    print(f"{'analyses above, in all':<28}{total:9.3f}   (each on a fresh log: shared steps counted each time)")
    print(f"{'report (HTML, all sections)':<28}{t_rep:9.3f}   (one fresh log, shared steps computed once)")
    d = _repo_benchmarks()
    if d:
        print(f"\nLarger logs (1 and 11 million events): pathways bench --full, or see {d}/README.md")
    return 0


# --------------------------------------------------------------------------- parser
def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback on errors")
    return p


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="pathways", description=__doc__, formatter_class=raw)
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [_common()]

    demo = sub.add_parser("demo", parents=common, formatter_class=raw,
                          help="the full report on the bundled sample extract, into out/",
                          description="Read the bundled dirty Danish sample extract, print its summary and data "
                                      "quality, write the full report to OUT/report.html with every figure and "
                                      "table in OUT/figures, and print its three main findings.\n\n"
                                      "Example:\n  pathways demo\n  pathways demo -o /tmp/demo --language en")
    demo.add_argument("-o", "--out", default="out", help="folder for the report and figures (default: out)")
    demo.add_argument("--language", choices=("da", "en"), default="da", help="report language (default: da)")
    demo.add_argument("--make-dirs", action="store_true", help="create the missing parent folders of OUT (OUT "
                                                               "itself is always created)")
    demo.set_defaults(func=cmd_demo)

    rep = sub.add_parser("report", parents=common, formatter_class=raw, help="the HTML report of an extract",
                         description="Write one self-contained HTML report of an extract: works offline, no "
                                     "case ids, counts under --min-count shown as <5. With --figures-dir also "
                                     "every diagram as SVG and PNG and every table as CSV.\n\n"
                                     "Examples:\n"
                                     f"  pathways report udtraek.csv -o rapport.html {MAPPING_EXAMPLE}\n"
                                     "  pathways init-config udtraek.csv && pathways report udtraek.csv "
                                     "--config udtraek.pathways.yaml -o rapport.html --figures-dir figurer\n"
                                     "  pathways report log.parquet --case case_id --activity activity "
                                     "--timestamp timestamp --unit unit -o report.html --language en "
                                     "--as-of 2024-01-01 --threshold udredningsret=60D")
    rep.add_argument("file", help="CSV, Parquet, Excel (.xlsx) or XES file")
    rep.add_argument("-o", "--output", required=True, help="the HTML file to write, e.g. report.html")
    add_mapping_options(rep)
    g = rep.add_argument_group("report")
    g.add_argument("--title", help="page title (default: Forløbsrapport / Care-pathway report)")
    g.add_argument("--as-of", help="the evaluation date, e.g. 2024-01-01 (default: the last event)")
    g.add_argument("--min-count", type=int, help="smallest count shown; smaller ones print as <5 (default 5)")
    g.add_argument("--language", choices=("da", "en"), help="da (default) or en")
    g.add_argument("--figures-dir", help="also write every figure (SVG, PNG) and table (CSV) to this folder")
    g.add_argument("--reference", metavar="FILE", help="the agreed pathway, for a conformance section: a process "
                                                       "model (.pnml, .bpmn) or a YAML list of steps (steps: "
                                                       "[Registration, {name: Triage, within: 1h}])")
    g.add_argument("--threshold", action="append", metavar="NAME=DURATION",
                   help="change a waiting-time rule's threshold, e.g. udredningsret=60D (repeatable)")
    g.add_argument("--make-dirs", action="store_true", help="create the missing folders of -o and --figures-dir "
                                                            "(without it, a path into a folder that does not "
                                                            "exist is an error; --figures-dir itself is created "
                                                            "when its parent exists)")
    rep.set_defaults(func=cmd_report)

    mp = sub.add_parser("map", parents=common, formatter_class=raw, help="the unit map or process map of an extract",
                        description="Draw the unit map across sectors (or, with --kind process, the process map) "
                                    "of an extract. The suffix of -o picks the format: .svg, .png, .pdf or .dot. "
                                    "Counts under --min-count print as <5; no case ids.\n\n"
                                    "Examples:\n"
                                    f"  pathways map udtraek.csv -o enhedskort.svg {MAPPING_EXAMPLE}\n"
                                    "  pathways map udtraek.csv --config udtraek.pathways.yaml --kind process "
                                    "-o proceskort.png")
    mp.add_argument("file", help="CSV, Parquet, Excel (.xlsx) or XES file")
    mp.add_argument("-o", "--output", required=True, help="picture to write: .svg, .png, .pdf or .dot")
    mp.add_argument("--kind", choices=("unit", "process"), default="unit",
                    help="unit: units and handovers in sector lanes (default); process: activities")
    mp.add_argument("--min-count", type=int, help="smallest count shown (default 5)")
    mp.add_argument("--title", help="title drawn on the map")
    mp.add_argument("--make-dirs", action="store_true", help="create the missing folders of -o (without it, a "
                                                             "path into a folder that does not exist is an error)")
    add_mapping_options(mp)
    mp.set_defaults(func=cmd_map)

    val = sub.add_parser("validate", parents=common, formatter_class=raw, help="data-quality report of an extract",
                         description="Print the summary and data-quality report of an extract.\n"
                                     "Exit status: 0 all rows usable, 1 rows rejected, 2 the file cannot be read.\n\n"
                                     "Example:\n  pathways validate udtraek.csv --case cpr --activity haendelse "
                                     "--timestamp tidspunkt --unit afsnit --dayfirst\n"
                                     "  pathways validate udtraek.csv --config udtraek.pathways.yaml")
    val.add_argument("file", help="CSV, Parquet, Excel (.xlsx) or XES file")
    add_mapping_options(val)
    val.add_argument("--as-of", help="the extract date; events after it are flagged")
    val.set_defaults(func=cmd_validate)

    ini = sub.add_parser("init-config", parents=common, formatter_class=raw,
                         help="write a YAML config by guessing the columns of an extract",
                         description="Guess the columns (Danish or English names: cpr_pseudo/patient/case, "
                                     "haendelse/aktivitet/activity, tidspunkt/dato/timestamp, afsnit/enhed/unit, "
                                     "...), the separator, the encoding and day-first dates of an extract, and "
                                     "write them as a small YAML file for --config. Then it reads the extract and "
                                     "writes FILE.taxonomy.csv and FILE.vocabulary.csv beside the config (which "
                                     "points at them): every unit and activity with its number of events, placed "
                                     "where the built-in rules place it, empty where not, for you to fill in. An "
                                     "existing template is never replaced. Asks nothing; exit status 1 "
                                     "when the case, activity or time column could not be guessed.\n\n"
                                     "Example:\n  pathways init-config udtraek.csv            "
                                     "# writes udtraek.pathways.yaml\n"
                                     "  pathways report udtraek.csv --config udtraek.pathways.yaml -o rapport.html")
    ini.add_argument("file", help="CSV, Parquet or Excel (.xlsx) file")
    ini.add_argument("-o", "--output", help="config file to write (default: FILE with .pathways.yaml)")
    ini.add_argument("--force", action="store_true", help="overwrite an existing config file (never the extract)")
    ini.add_argument("--make-dirs", action="store_true", help="create the missing folders of -o")
    ini.set_defaults(func=cmd_init_config)

    bench = sub.add_parser("bench", parents=common, formatter_class=raw,
                           help="time the analyses and the report on a bundled sample",
                           description="Time reading, each analysis and the whole report on a bundled sample, "
                                       "in this process (a few seconds). --full runs the repository's "
                                       "benchmarks/ scripts instead (1.1 million events; minutes).\n\n"
                                       "Example:\n  pathways bench\n  pathways bench --sample psychiatry_somatic "
                                       "--repeat 3")
    bench.add_argument("--sample", default="psychiatry_somatic", help="bundled sample (default psychiatry_somatic)")
    bench.add_argument("--repeat", type=int, default=1, help="runs per step; the best counts (default 1)")
    bench.add_argument("--full", action="store_true", help="run benchmarks/*.py of a source checkout")
    bench.set_defaults(func=cmd_bench)

    from .synthetic import command as synthetic_command

    gen = synthetic_command.register(sub)
    gen.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                     help="show the full traceback on errors")
    return parser


_KEYWORD = re.compile(r"(?<![\w.(-])([a-z_]+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|True|False|-?[\w.]+)")
_CALL = re.compile(r"(?:pw|pathways)\.\w+\([^()]*(?:\([^()]*\)[^()]*)*\)")


def in_flags(message: str, parser: argparse.ArgumentParser) -> str:
    """``message`` (written for Python) as a command-line user reads it: ``sep=';'`` becomes ``--sep ';'`` and
    ``as_of='soon'`` ``--as-of soon`` for every option the command line has; Python calls quoted in it stay.

    Examples
    --------
    >>> print(in_flags("The header looks separated by ';': pass sep=';'. as_of='soon' is not a date; "
    ...                "e.g. pw.read_csv(path, sep=';').", build_parser()))
    The header looks separated by ';': pass --sep ';'. --as-of soon is not a date; e.g. pw.read_csv(path, sep=';').
    """
    flags = {}
    for action in _all_actions(parser):
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs:
            flags.setdefault(action.dest, (longs[0], action.nargs == 0))
    calls = [(m.start(), m.end()) for m in _CALL.finditer(message)]

    def flag(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        if name not in flags or any(a <= m.start() < b for a, b in calls):
            return m.group(0)
        option, switch = flags[name]
        if switch:  # a flag without a value: dayfirst=True is --dayfirst
            return option if value == "True" else m.group(0)
        text = ast.literal_eval(value) if value[:1] in "'\"" else value
        return f"{option} {shlex.quote(str(text))}"

    return _KEYWORD.sub(flag, message)


def _all_actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        for sub in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict) and isinstance(action.choices[sub], argparse.ArgumentParser):
                yield from _all_actions(action.choices[sub])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import PathwaysError

    stdout = sys.stdout
    sys.stdout = _SafeStream(stdout)  # names from the data are printed: no terminal escapes get through
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rejections are printed by the commands themselves
            return args.func(args)
    except KeyboardInterrupt:
        print("pathways: interrupted", file=sys.stderr)
        return 130
    except (PathwaysError, OSError) as exc:
        if args.debug:
            raise
        first, *rest = in_flags(str(exc), parser).splitlines() or [type(exc).__name__]
        print(f"pathways: error: {safe_text(first)}", file=sys.stderr)
        for line in rest[:5]:
            print(f"  {safe_text(line)}", file=sys.stderr)
        print("  (run with --debug for the traceback)", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if args.debug:
            raise
        print(f"pathways: internal error: {type(exc).__name__}: "
              f"{safe_text(str(exc).splitlines()[0]) if str(exc).strip() else ''}", file=sys.stderr)
        print("  This is a bug in pathways; run again with --debug for the traceback and report it.",
              file=sys.stderr)
        return 3
    finally:
        sys.stdout = stdout


if __name__ == "__main__":
    sys.exit(main())
