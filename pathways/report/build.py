"""``pw.report``: an event log in, one self-contained HTML report (and optionally a figures folder) out."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..files import check_output, output_folder, sources, write_atomically
from .. import parameters as P
from ..analyses.readmissions import acute_column
from ..errors import OptionError, PathwaysError, check_choice, closest
from ..eventlog import takes_log
from . import comparison as C
from . import notifications as N
from . import sections as S
from .export import write_figures
from .html import Page
from ..publish.numbers import Formatter
from ..publish.words import LANGUAGES, RULES, say


@dataclass(frozen=True)
class Report:
    """What :func:`report` wrote: the page, its main findings, its sections and the figure files.

    Attributes
    ----------
    path : pathlib.Path
        The HTML file.
    title : str
    language : str
    findings : tuple of str
        The main findings (at most three sentences), as at the top of the page.
    sections : tuple of str
        The section headings, in order.
    files : tuple of pathlib.Path
        The SVG, PNG and CSV files written to ``figures_dir`` (empty without it).
    """

    path: Path
    title: str
    language: str
    findings: tuple[str, ...]
    sections: tuple[str, ...]
    files: tuple[Path, ...] = ()

    def __repr__(self) -> str:
        extra = f", {len(self.files)} figure and table files" if self.files else ""
        return f"Report: {self.path}, {len(self.sections)} sections, {len(self.findings)} main findings{extra}"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in self.findings)
        return f"<p>{html.escape(repr(self))}</p><ul>{items}</ul>"


def _rules(thresholds) -> pd.DataFrame:
    from ..analyses.common import duration
    from ..analyses.waits import GUARANTEES

    if thresholds is None:
        return GUARANTEES
    if isinstance(thresholds, pd.DataFrame):
        return thresholds
    if isinstance(thresholds, Mapping):
        rules = GUARANTEES.copy()
        names = list(rules["name"])
        for name, value in thresholds.items():
            if name not in names:
                hint = closest(str(name), names)
                raise OptionError(f"thresholds: {name!r} is not a waiting-time rule; the rules are "
                                  f"{', '.join(names)}." + (f" Did you mean {hint!r}?" if hint else "")
                                  + " Pass a table like pw.GUARANTEES to use rules of your own.")
            if value is not None:
                duration(value, argument=f"thresholds[{name!r}]")
            rules.loc[rules["name"] == name, "threshold"] = value
        return rules
    raise OptionError(f"thresholds={thresholds!r} is not allowed; give a mapping of rule name to duration "
                      "(e.g. {'udredningsret': '30D'}), a rules table like pw.GUARANTEES, or None for the "
                      "default rules.")


def _as_of(log, as_of) -> tuple[pd.Timestamp, bool]:
    from ..analyses.common import timestamp

    last = log.stats["last"]
    if last is None or len(log) == 0:
        raise OptionError("the log has no events, so there is nothing to report; check the extract and "
                          "log.rejected.")
    if as_of is not None:
        return timestamp(as_of, log.tz, argument="as_of"), True
    ts = pd.Timestamp(last)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(log.tz), False


def _parameters(ctx: S.Context, reference) -> list[tuple[str, str]]:
    f, t = ctx.fmt, ctx.t
    as_of = f.date(ctx.as_of) if ctx.as_of_given else t("as_of_last_event", date=f.datetime(ctx.as_of))
    rules = []
    for r in ctx.rules.to_dict("records"):
        thr = r["threshold"]
        label = RULES.get(str(r["name"]), {}).get(ctx.lang, str(r["name"]))
        none = thr is None or (isinstance(thr, float) and thr != thr)
        rules.append(f"{label}: {t('no_threshold') if none else f.duration(thr)}")
    acute = t("p_acute_only", column=ctx.acute) if ctx.acute else t("p_all_admissions")
    ref = t("p_none") if reference is None else (repr(reference)[:200])
    rows = [
        (t("p_as_of"), as_of),
        (t("p_min_count"), str(ctx.min_count)),
        (t("p_language"), ctx.lang),
        (t("p_thresholds"), "; ".join(rules)),
        (t("p_loops"), t("p_loops_value", within=f.duration(P.LOOP_WITHIN), max_between=P.MAX_BETWEEN,
                         quiet=f.duration(P.QUIET_FOR))),
        (t("p_handovers"), t("p_handovers_value", max_gap=f.duration(P.GAP_THRESHOLD),
                             within=f.duration(P.BOUNCE_WITHIN))),
        (t("p_readmissions"), t("p_readmissions_value", acute=acute)),
        (t("p_notice"), f.duration(P.NOTICE_RULE)),
        (t("p_reference"), ref),
        (t("p_tz"), ctx.log.tz),
    ]
    return [(k[:1].upper() + k[1:], v) for k, v in rows]


@takes_log
def report(log, path, *, title: str | None = None, as_of=None, thresholds=None, reference=None,
           min_count: int = 5, language: str = "da", figures_dir=None, make_dirs: bool = False,
           progress=None) -> Report:
    """Write one self-contained HTML report of an event log, readable offline, printable, embeddable.

    Sections, each opening with two or three sentences that state the finding
    with its numbers: the extract (events, patients, period, rejected rows and
    data-quality findings); the unit map across sectors; the process map;
    circular referrals (the most common rings with counts and a diagram, share
    of patients affected, share who gave up); psychiatric–somatic handovers and
    bounces; waits against each guarantee (distributions, Kaplan–Meier curves,
    share over the threshold); readmissions within 3 and 30 days by unit;
    discharge timing (weekday × hour heat map, the 48-hour notice rule); and
    conformance to ``reference`` when one is given. The three main findings
    open the page. A footer states the suppression rule, the parameters and the
    library version.

    The file loads nothing from the network (inline CSS, every diagram inline
    SVG; one inline script, the interactive unit map's, which is the only one
    its Content-Security-Policy lets run) and shows no case id; counts from 1
    to ``min_count - 1`` print as "<5" and rows about fewer than ``min_count``
    patients are merged. On screen the unit map is interactive (sliders, hover,
    zoom, highlights, a sample of cases moving over it, see
    :func:`pathways.interactive_map`); printed, and without scripts, it is the
    static picture.

    Parameters
    ----------
    log : EventLog
    path : str or path-like
        The HTML file to write. Its folder must exist (or pass ``make_dirs``); it
        may not be the file the log was read from. The page is written to a
        temporary file and renamed into place, so a failed run leaves no half page
        and an existing report stays as it was.
    title : str, optional
        The page title; "Forløbsrapport" / "Care-pathway report" by default.
    as_of : str or datetime, optional
        The evaluation date: waits still open then are censored. Without it the
        report uses the log's last event and says so on the page.
    thresholds : mapping or pandas.DataFrame, optional
        The waiting-time rules: a mapping ``{rule name: duration}`` changes the
        thresholds of :data:`pathways.GUARANTEES` (``{"udredningsret": "60D"}``);
        a table like ``pw.GUARANTEES`` replaces the rules.
    reference : optional
        A reference pathway for :func:`pathways.conformance` (e.g. a
        ``pw.ReferencePathway``); adds the conformance section.
    min_count : int, default 5
        Smallest count shown; smaller counts print as "<5".
    language : {"da", "en"}, default "da"
        Danish (decimal comma, thousands dot) or English.
    figures_dir : str or path-like, optional
        Also write every diagram as SVG and PNG and every table as CSV here. The
        folder is created when its parent folder exists (naming it asks for it);
        its missing parents only with ``make_dirs``.
    make_dirs : bool, default False
        Create the missing folders of ``path`` and ``figures_dir``; without it a
        path into a folder that does not exist is an OptionError (a typo in a path
        creates nothing).
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each step (the command
        line draws a progress bar with it).

    Returns
    -------
    Report
        ``.path``, ``.findings`` (the main findings), ``.sections`` and ``.files``.

    Examples
    --------
    >>> import os, tempfile, pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(3)],
    ...                    "act": ["Henvisning", "Indlæggelse", "Udskrivning"] * 6,
    ...                    "ts": ["2023-01-02 09:00", "2023-01-09 10:00", "2023-01-13 11:00"] * 6,
    ...                    "unit": ["Egen læge", "Medicinsk afdeling", "Medicinsk afdeling"] * 6})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> out = os.path.join(tempfile.mkdtemp(), "rapport.html")
    >>> r = pw.report(log, out, as_of="2023-02-01", language="en")
    >>> r.sections[:3]
    ('The extract', 'Unit map across sectors', 'Process map')
    >>> page = open(out, encoding="utf-8").read()
    >>> "The extract holds 18 events for 6 patients" in page, "http://" in page
    (True, False)
    """
    language = check_choice("language", language, LANGUAGES)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise OptionError(f"min_count={min_count!r} is not allowed; give a whole number (1 or more); 5 is Danish "
                          "small-cell practice.")
    if title is not None and not isinstance(title, str):
        raise OptionError(f"title={title!r} must be text.")
    inputs = sources(log)
    path = check_output(path, inputs=inputs, make_dirs=make_dirs)  # refused before the work, not after it
    if figures_dir is not None:
        output_folder(figures_dir, make_dirs=make_dirs, create=False)
    fmt = Formatter(language, min_count)
    at, given = _as_of(log, as_of)
    rules = _rules(thresholds)
    acute = acute_column(log, "auto")
    ctx = S.Context(log=log, fmt=fmt, as_of=at, as_of_given=given, rules=rules, reference=reference, acute=acute)
    steps = (list(S.SECTIONS) + N.sections(log) + C.sections(log)
             + ([S.conformance] if reference is not None else []))
    total = len(steps) + 1 + (1 if figures_dir is not None else 0)
    sections = []
    for i, step in enumerate(steps, start=1):
        try:
            section = step(ctx)
        except PathwaysError as exc:  # the log lacks what a section needs: say so there, keep the rest
            if step is S.conformance:  # the reference is the caller's: its errors are theirs to see
                raise
            key = step.__name__
            section = S.Section(key, ctx.t(f"sec_{key}"), [ctx.t("section_failed", error=str(exc).splitlines()[0])])
        if section is not None:  # None: nothing to show (the comparison with fewer than two groups)
            sections.append(section)
        if progress is not None:
            progress(i, total, section.title if section is not None else step.__name__)
    ranked = sorted([(s.highlight[0], k, s) for k, s in enumerate(sections) if s.highlight and s.highlight[0] > 0],
                    key=lambda x: (-x[0], x[1]))[:3]
    main = [(s.highlight[1], s.key) for _, _, s in ranked]
    import pathways

    title = title or say("default_title", language)
    s0 = log.stats
    first, last = S._local(s0["first"], log.tz), S._local(s0["last"], log.tz)
    subtitle = say("subtitle", language, cases=fmt.count(log.n_cases),
                    period=say("period", language, first=fmt.date(first), last=fmt.date(last)),
                    as_of=fmt.date(at))
    page = Page(fmt).page(
        title=title, subtitle=subtitle, lang=language, contents_title=say("contents", language),
        main_title=say("main_findings", language), main_findings=main,
        empty_main=say("no_main_findings", language), sections=sections,
        footer=say("footer_privacy", language, below=min_count - 1, min_count=min_count),
        parameters=_parameters(ctx, reference),
        version=say("footer_version", language, version=pathways.__version__))
    write_atomically(path, page, inputs=inputs, make_dirs=make_dirs)
    if progress is not None:
        progress(len(steps) + 1, total, path.name)
    files: list[Path] = []
    if figures_dir is not None:
        files = write_figures(sections, figures_dir, fmt, inputs=inputs, make_dirs=make_dirs)
        if progress is not None:
            progress(total, total, str(figures_dir))
    return Report(path=path, title=title, language=language, findings=tuple(m for m, _ in main),
                  sections=tuple(s.title for s in sections), files=tuple(files))


__all__ = ["report", "Report"]
