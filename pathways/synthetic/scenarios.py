"""The scenarios: small stochastic models of Danish cross-sector care pathways.

Each scenario is a function of a :class:`~pathways.synthetic.builder.Ctx` that
emits the events of one episode for every patient given to it, with numpy
arrays over all of them at once (the only Python loops run over a fixed, small
number of steps). The stories come from the background digests: A = DEFACTUM's
17 narratives (letters are its case ids), B = the KORA "Sammen om" psychiatry
mapping, C = the health-cluster catalogue.

The ground truth is *not* written by hand here: it is computed from the
emitted events with the binding definitions of DOMAIN.md section 4 (see
``truth.py``), so whatever a scenario produces is recorded, and tests check
that each scenario produces what it is meant to (and good pathways nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .builder import EPOCH, Ctx
from .vocabulary import U

EL, VL = "Egen læge", "Vagtlæge"
PVK, PAM = "Psykiatrisk Visitationsklinik", "Psykiatrisk Akutmodtagelse"
WARD, DP = "Psykiatrisk sengeafsnit", "Distriktspsykiatri"
BU, PP = "Børne- og Ungdomspsykiatri", "Privatpraktiserende psykiater"
AM, MA = "Akutmodtagelse", "Medicinsk afdeling"
KA, GA, GER = "Kardiologisk afdeling", "Gastroenterologisk afdeling", "Geriatrisk afdeling"
SK = "Smerteklinik"
HP, HS, AT = "Hjemmepleje", "Hjemmesygepleje", "Akutteam"
MP, PH, GT = "Midlertidig plads", "Plejehjem", "Genoptræning"
MC, BO = "Misbrugscenter", "Bosted"


@dataclass(frozen=True)
class Scenario:
    """Metadata of one scenario.

    ``group`` decides which scenarios a patient may combine over the years,
    ``ages`` the age range at the start of the episode, ``span_days`` how long
    the episode usually lasts (start dates are drawn so that it fits before
    the end of the period), ``good`` whether it is a pathway no detector
    should flag.
    """

    name: str
    func: Callable[[Ctx], None]
    group: str
    ages: tuple[float, float]
    span_days: int
    weight: float
    good: bool
    title: str
    source: str


# --- shared pieces -----------------------------------------------------------------------
def _gp_referral(c: Ctx, mask, t, target):
    """GP consultation and a referral to ``target``; returns the referral time."""
    c.emit(mask, "Lægekonsultation", EL, t)
    t = c.soon(t, 10, 30)
    c.emit(mask, "Henvisning", EL, t, referral_to=target)
    return t


def _visits(c: Ctx, mask, unit, t, n, gap_median, gap_lo, gap_hi, upto=None):
    """Up to ``n`` (per-patient array) outpatient visits; returns the time of the last one."""
    n = np.asarray(n)
    for k in range(int(n.max(initial=0))):
        t_next = c.work_after(t, c.ln(gap_median, 0.3, gap_lo, gap_hi))
        active = mask & (k < n)
        if upto is not None:
            active &= t_next < upto
        c.emit(active, "Ambulant besøg", unit, t_next)
        t = np.where(active, t_next, t)
    return t


def _dp_course(c: Ctx, mask, t_received, wait, letter_p=0.7):
    """PVK allocation then DP: first contact + assessment after ``wait`` days, treatment, closure."""
    t = c.work_after(t_received, c.u(2, 8))
    c.emit(mask, "Visitation", PVK, t)
    t = np.maximum(c.work(t_received + wait), t + 1)
    c.emit(mask, "Førstegangssamtale", DP, t)
    t = c.soon(t, 60, 110)
    c.emit(mask, "Udredning start", DP, t)
    t = c.work_after(t, c.ln(16, 0.4, 5, 40))
    c.emit(mask, "Behandling start", DP, t)
    t = _visits(c, mask, DP, t, c.ints(2, 6), 21, 10, 35)
    t = c.work_after(t, c.ln(14, 0.3, 5, 30))
    c.emit(mask, "Afslutning", DP, t)
    c.emit(mask & c.p(letter_p), "Epikrise", DP, c.soon(t, 30, 180))
    return t


def _medical_stay(c: Ctx, mask, t, via_vagtlaege, *, los=(4.0, 0.5, 1.0, 20.0)):
    """Acute admission via the emergency department to the medical ward; returns the discharge time."""
    mask = np.ones(c.n, bool) if mask is None else mask
    c.emit(mask & via_vagtlaege, "Akut kontakt", VL, t)
    t = np.where(via_vagtlaege, c.hours_after(t, 0.5, 2), t)
    c.emit(mask, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(mask, "Overflytning", MA, t)
    out = np.maximum(c.work(t + c.ln(*los), 9, 18), t + 0.5)
    c.emit(mask, "Udskrivning", MA, out)
    c.emit(mask, "Epikrise", MA, c.soon(out, 10, 40))
    return out


def _birthday(c: Ctx, years: int) -> np.ndarray:
    """The ``years``-th birthday (float days since EPOCH) of each patient, calendar-exact."""
    born = pd.DatetimeIndex(EPOCH.astype("datetime64[D]") + c.birth.astype("int64"))
    day = born + pd.DateOffset(years=years)
    return ((day.values.astype("datetime64[m]") - EPOCH).astype(np.int64) / 1440.0)


# --- problem pathways ----------------------------------------------------------------------
def pain_clinic_loop(c: Ctx) -> None:
    """A: the psychiatric patient sent between pain clinic and private psychiatrist until they give up."""
    t = _gp_referral(c, None, c.work(c.t0), SK)
    steps = c.ints(4, 7)  # SK, PP, SK, PP, ... (steps - 2 returns)
    gave_up = c.p(0.75)
    for s in range(1, 8):
        unit, other = (SK, PP) if s % 2 == 1 else (PP, SK)
        active = s <= steps
        last = active & (s == steps)
        t = c.work_after(t, c.ln(3, 0.4, 1, 10))
        c.emit(active, "Henvisning modtaget", unit, t)
        goes_on = active & ~(last & gave_up)
        t_visit = c.work_after(t, c.ln(30 if unit == SK else 50, 0.4, 10, 120))
        c.emit(goes_on, "Udredning start", unit, t_visit)
        t_ref = c.soon(t_visit, 30, 60)
        c.emit(goes_on & ~last, "Henvisning", unit, t_ref, referral_to=other)
        t = np.where(goes_on & ~last, t_ref, np.where(goes_on, t_visit, t))
    resolved = ~gave_up
    unit_last = np.where(steps % 2 == 1, U[SK], U[PP])
    t = c.work_after(t, c.ln(10, 0.5, 1, 30))
    c.emit(resolved, "Behandling start", unit_last, t)
    t = _visits(c, resolved, unit_last, t, c.ints(2, 5), 21, 10, 35)
    c.emit(resolved, "Afslutning", unit_last, c.work_after(t, c.ln(14, 0.3, 5, 30)))


def department_ring(c: Ctx) -> None:
    """P/E/H: hospital departments referring to each other until the pathway goes in a ring."""
    ring = np.where(c.p(0.5)[:, None], [U[MA], U[GA], U[KA]], [U[MA], U[KA], U[GA]])
    steps = c.ints(4, 7)  # (steps - 3) returns
    t = _gp_referral(c, None, c.work(c.t0), MA)
    for s in range(7):
        active = s < steps
        last = active & (s == steps - 1)
        unit, nxt = ring[:, s % 3], ring[:, (s + 1) % 3]
        t = c.work_after(t, c.ln(3, 0.4, 1, 10))
        c.emit(active, "Henvisning modtaget", unit, t)
        t = c.work_after(t, c.ln(18, 0.5, 4, 70))
        c.emit(active, "Udredning start", unit, t)
        t_ref = c.work_after(t, c.ln(10, 0.5, 1, 40))
        c.emit(active & ~last, "Henvisning", unit, t_ref, referral_to=nxt)
        t = np.where(active & ~last, t_ref, t)
    # the flowmaster (or the GP) stops the ring at the last department
    unit = ring[np.arange(c.n), (steps - 1) % 3]
    t = c.work_after(t, c.ln(21, 0.4, 7, 50))
    c.emit(None, "Diagnostisk konference", unit, t)
    t = c.work_after(t, c.ln(14, 0.3, 5, 27))
    c.emit(None, "Behandling start", unit, t)
    t = _visits(c, np.ones(c.n, bool), unit, t, c.ints(1, 3), 28, 14, 50)
    t = c.work_after(t, c.ln(14, 0.3, 5, 30))
    c.emit(None, "Afslutning", unit, t)
    c.emit(None, "Epikrise", unit, c.soon(t, 30, 180))


def psych_somatic_bounce(c: Ctx) -> None:
    """A/K/Q and B P16: psychiatric emergency <-> somatic emergency, "så er det jo bare psykisk"."""
    fwd = c.p(0.7)
    rev = ~fwd
    # forward: PAM -> somatic emergency -> PAM (maybe twice) -> ward -> DP
    t = c.anyhour(c.t0)
    c.emit(fwd, "Akut kontakt", PAM, t)
    t = c.hours_after(t, 0.5, 3)
    c.emit(fwd, "Indlæggelse", PAM, t, acute=True)
    for k in range(2):
        active = fwd if k == 0 else fwd & twice
        t_o = c.hours_after(t, 6, 40)
        c.emit(active, "Overflytning", AM, t_o)
        t_u = c.hours_after(t_o, 3, 30)
        c.emit(active, "Udskrivning", AM, t_u)
        t_b = c.hours_after(t_u, 1, 72)
        c.emit(active, "Akut kontakt", PAM, t_b)
        t_i = c.hours_after(t_b, 0.5, 2)
        c.emit(active, "Indlæggelse", PAM, t_i, acute=True)
        t = np.where(active, t_i, t)
        if k == 0:
            twice = c.p(0.4)
    t = c.hours_after(t, 20, 60)
    c.emit(fwd, "Overflytning", WARD, t)
    t = np.maximum(c.work(t + c.ln(11, 0.3, 6, 25), 9, 16), t + 1)
    c.emit(fwd, "Udskrivning", WARD, t)
    c.emit(fwd & c.p(0.5), "Epikrise", WARD, c.soon(t, 30, 180))
    t = c.work_after(t, c.u(1, 4.5))
    c.emit(fwd, "Ambulant besøg", DP, t)
    t = c.work_after(t, c.u(7, 21))
    c.emit(fwd, "Behandling start", DP, t)
    t = _visits(c, fwd, DP, t, c.ints(1, 3), 21, 10, 35)
    c.emit(fwd, "Afslutning", DP, c.work_after(t, c.u(7, 28)))
    # reverse: somatic emergency -> PAM ("bare psykisk") -> somatic again -> medical ward -> GP
    t = c.anyhour(c.t0)
    c.emit(rev, "Akut kontakt", AM, t)
    t = c.hours_after(t, 0.5, 2)
    c.emit(rev, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 20)
    c.emit(rev, "Overflytning", PAM, t)
    t = c.hours_after(t, 12, 60)
    c.emit(rev, "Udskrivning", PAM, t)
    t = c.hours_after(t, 2, 120)
    c.emit(rev, "Akut kontakt", AM, t)
    t = c.hours_after(t, 0.5, 2)
    c.emit(rev, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(rev, "Overflytning", MA, t)
    t = np.maximum(c.work(t + c.ln(5, 0.4, 1, 15), 9, 18), t + 0.5)
    c.emit(rev, "Udskrivning", MA, t)
    c.emit(rev, "Epikrise", MA, c.soon(t, 10, 40))
    c.emit(rev, "Lægekonsultation", EL, c.work_after(t, c.u(5, 20)))


def dual_diagnosis(c: Ctx) -> None:
    """B P1 / A P: dual diagnosis refused in turn by psychiatry (sober first) and the addiction centre."""
    rounds = c.ints(1, 3)
    accepted = c.p(0.45)
    t = c.work(c.t0)
    for r in range(3):
        active = r < rounds
        last = active & (r == rounds - 1)
        if r > 0:
            t = c.work_after(t, c.ln(30, 0.5, 7, 90))
        t = _gp_referral(c, active, t, PVK)
        t = c.work_after(t, c.u(1, 5))
        c.emit(active, "Henvisning modtaget", PVK, t)
        t = c.work_after(t, c.ln(12, 0.4, 3, 40))
        c.emit(active, "Afslag", PVK, t)
        t = c.work_after(t, c.ln(14, 0.5, 2, 60))
        c.emit(active, "Førstegangssamtale", MC, t)
        acc = last & accepted
        t_b = c.work_after(t, c.ln(10, 0.5, 1, 40))
        c.emit(acc, "Behandling start", MC, t_b)
        t_end = _visits(c, acc, MC, t_b, c.ints(2, 4), 14, 7, 30)
        c.emit(acc, "Afslutning", MC, c.work_after(t_end, c.u(7, 30)))
        t_a = c.work_after(t, c.ln(10, 0.5, 2, 30))
        c.emit(active & ~acc, "Afslag", MC, t_a)
        t = np.where(active & ~acc, t_a, t)


def refusal_rereferral(c: Ctx) -> None:
    """B P6 (kastebold): PVK refuses, the GP (or PAM) refers again weeks later, then DP."""
    t = _gp_referral(c, None, c.work(c.t0), PVK)
    t = c.work_after(t, c.u(1, 4))
    c.emit(None, "Henvisning modtaget", PVK, t)
    t = c.work_after(t, c.ln(10, 0.4, 3, 30))
    c.emit(None, "Afslag", PVK, t)
    via_pam = c.p(0.3)
    gap = c.ln(45, 0.5, 10, 150)
    t_gp = _gp_referral(c, ~via_pam, c.work_after(t, gap), PVK)
    t_pam = c.anyhour(t + gap + 1)
    c.emit(via_pam, "Akut kontakt", PAM, t_pam)
    t_pam = c.hours_after(t_pam, 1, 3)
    c.emit(via_pam, "Henvisning", PAM, t_pam, referral_to=PVK)  # the skadesjournal is the referral
    t = np.where(via_pam, t_pam, t_gp)
    t = c.work_after(t, c.u(1, 4))
    c.emit(None, "Henvisning modtaget", PVK, t)
    _dp_course(c, np.ones(c.n, bool), t, c.ln(18, 0.3, 7, 29))


def child_psychiatry_age18(c: Ctx) -> None:
    """B P2/P3/P7: child psychiatry lets go at 18, the GP re-refers months later (or a smooth handover)."""
    everyone = np.ones(c.n, bool)
    t = _gp_referral(c, None, c.work(c.t0), BU)
    t_rec = c.work_after(t, c.u(2, 7))
    c.emit(None, "Henvisning modtaget", BU, t_rec)
    t = c.work_after(t_rec, c.ln(22, 0.45, 5, 90))
    c.emit(None, "Førstegangssamtale", BU, t)
    t = c.work_after(t, c.u(0, 14))
    c.emit(None, "Udredning start", BU, t)
    t = c.work_after(t, c.ln(45, 0.4, 20, 100))
    c.emit(None, "Diagnostisk konference", BU, t)
    t = c.work_after(t, c.ln(18, 0.5, 5, 70))
    c.emit(None, "Behandling start", BU, t)
    closure = np.maximum(c.work(_birthday(c, 18) + c.u(-20, 20)), t + 7)
    _visits(c, everyone, BU, t, np.full(c.n, 16), 35, 14, 70, upto=closure - 3)
    smooth = c.p(0.35)
    c.emit(smooth, "Henvisning", BU, closure, referral_to=PVK)
    t = c.soon(closure, 20, 60)
    c.emit(None, "Afslutning", BU, t)
    c.emit(c.p(0.6), "Epikrise", BU, c.soon(t, 30, 180))
    # smooth: PVK -> DP within weeks
    t_s = c.work_after(t, c.u(1, 5))
    # cliff: nothing for months, then the GP has to start again
    t_c = _gp_referral(c, ~smooth, c.work_after(t, c.ln(200, 0.3, 121, 400)), PVK)
    t_c = c.work_after(t_c, c.u(1, 4))
    t = np.where(smooth, t_s, t_c)
    c.emit(None, "Henvisning modtaget", PVK, t)
    wait = np.where(smooth, c.ln(18, 0.3, 7, 28), c.ln(25, 0.5, 7, 80))
    _dp_course(c, everyone, t, wait)


def elderly_readmission(c: Ctx) -> None:
    """A D/L/J and C 1.1: the elderly medical patient readmitted within hours, days or 30 days."""
    t = c.anyhour(c.t0)
    out = _medical_stay(c, None, t, c.p(0.5))
    kind = c.choice(3, [0.2, 0.3, 0.5])  # hours / 1-3 days / 4-30 days
    delay = np.where(kind == 0, c.u(3, 8) / 24, np.where(kind == 1, c.u(1, 3), c.u(4, 29)))
    t_hp = c.hours_after(out, 2, 30)
    c.emit(c.p(0.5) & (t_hp < out + delay - 1 / 24), "Hjemmepleje start", HP, t_hp)
    t_re = np.where(kind == 0, out + delay, np.maximum(c.anyhour(out + delay), out + 2 / 24))
    out = _medical_stay(c, None, t_re, (kind > 0) & c.p(0.5))
    t_hs = c.hours_after(out, 4, 48)
    home = c.p(0.6)
    c.emit(home, "Hjemmesygepleje start", HS, t_hs)
    third = c.p(0.25)  # revolving door: a third admission weeks or months later
    t3 = np.maximum(c.anyhour(out + c.ln(60, 0.6, 31, 200)), t_hs + 1)
    _medical_stay(c, third, t3, c.p(0.5))


def bed_blocking(c: Ctx) -> None:
    """A G/M: ready for discharge, then weeks or months waiting for a nursing-home place."""
    t = c.anyhour(c.t0)
    c.emit(None, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(None, "Overflytning", MA, t)
    ready = np.maximum(c.work(t + c.ln(6, 0.4, 2, 20)), t + 1)
    c.emit(None, "Færdigmeldt", MA, ready)
    meet = c.next_meeting(ready + 1) + 14 * c.p(0.3)  # missed the first fortnightly meeting
    t_meet = meet + c.u(10, 12) / 24
    c.emit(None, "Kommunal visitation", MA, t_meet)
    place = meet + c.ln(35, 0.7, 10, 150)
    temp = c.p(0.35)
    # Wednesday notice so that the 48-hour rule holds for a Friday discharge
    fri = c.weekday_on_or_after(np.where(temp, meet + c.u(3, 10), place), 4)
    notice = fri - 2 + c.u(14, 16) / 24
    out = fri + c.u(10, 15.5) / 24
    c.emit(None, "Varsling", MA, notice)
    c.emit(None, "Udskrivning", MA, out)
    c.emit(None, "Epikrise", MA, c.soon(out, 10, 60))
    t_in = c.hours_after(out, 1, 3)
    move = np.maximum(c.work(np.maximum(place, t_in + 14)), t_in + 1)
    c.emit(temp, "Midlertidigt ophold", MP, t_in, end=move)
    c.emit(None, "Indflytning", PH, np.where(temp, move, t_in))


def municipality_not_ready(c: Ctx) -> None:
    """A J/O/L: Friday discharge to a municipality that was not ready; some come back within days."""
    t = c.anyhour(c.t0)
    c.emit(None, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(None, "Overflytning", MA, t)
    ready = np.maximum(c.work(t + c.ln(4, 0.4, 1, 12)), t + 0.5)
    c.emit(None, "Færdigmeldt", MA, ready)
    fri = c.weekday_on_or_after(ready + 2, 4)
    late = c.p(0.4)  # notice only on Thursday: the 48-hour rule is broken
    notice = np.where(late, fri - 1 + c.u(13, 16) / 24, fri - 2 + c.u(13, 15.5) / 24)
    c.emit(None, "Varsling", MA, notice)
    out = fri + c.u(14, 17.5) / 24
    c.emit(None, "Udskrivning", MA, out)
    c.emit(c.p(0.7), "Epikrise", MA, c.soon(out, 10, 60))
    temp = c.p(0.4)
    t_in = c.hours_after(out, 1, 3)
    c.emit(temp, "Midlertidigt ophold", MP, t_in, end=t_in + c.ln(14, 0.5, 5, 40))
    t_hp = c.work(fri + np.where(c.p(0.5), 3, 4), 8, 12)  # home care only from Monday/Tuesday
    c.emit(~temp, "Hjemmepleje start", HP, t_hp)
    back = ~temp & c.p(0.4)
    t = c.anyhour(t_hp + c.u(0.3, 7))
    t = np.maximum(t, t_hp + 2 / 24)
    c.emit(back, "Akut kontakt", AT, t)
    t = c.hours_after(t, 1, 3)
    c.emit(back, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(back, "Overflytning", MA, t)
    out2 = np.maximum(c.work(t + c.ln(4, 0.4, 2, 12), 10, 14), t + 2.5)
    c.emit(back, "Varsling", MA, out2 - c.u(2.0, 2.4))
    c.emit(back, "Udskrivning", MA, out2)
    c.emit(back, "Epikrise", MA, c.soon(out2, 10, 60))
    c.emit(back, "Hjemmesygepleje start", HS, c.hours_after(out2, 4, 24))


def long_wait_assessment(c: Ctx) -> None:
    """B P11 and DOMAIN [X] udredningsret: referral received, assessment starts after more than 30 days."""
    t = _gp_referral(c, None, c.work(c.t0), PVK)
    t = c.work_after(t, c.u(1, 5))
    c.emit(None, "Henvisning modtaget", PVK, t)
    _dp_course(c, np.ones(c.n, bool), t, c.ln(50, 0.45, 32, 200))


def psychiatric_discharge_gap(c: Ctx) -> None:
    """B P5: discharged from the psychiatric ward, first DP contact weeks later (or within a week)."""
    t = c.anyhour(c.t0)
    c.emit(None, "Akut kontakt", PAM, t)
    t = c.hours_after(t, 0.5, 2)
    c.emit(None, "Indlæggelse", PAM, t, acute=True)
    t = t + c.ln(1.5, 0.4, 0.5, 3)
    c.emit(None, "Overflytning", WARD, t)
    out = np.maximum(c.work(t + c.ln(11, 0.3, 6, 25), 9, 16), t + 1)
    c.emit(None, "Udskrivning", WARD, out)
    c.emit(c.p(0.4), "Epikrise", WARD, c.soon(out, 30, 180))
    gap = c.p(0.6)
    t = c.work_after(out, np.where(gap, c.ln(18, 0.4, 8, 60), c.u(1, 4.5)))
    c.emit(None, "Ambulant besøg", DP, t)
    t = c.work_after(t, c.u(7, 21))
    c.emit(None, "Behandling start", DP, t)
    t = _visits(c, np.ones(c.n, bool), DP, t, c.ints(1, 3), 21, 10, 35)
    c.emit(None, "Afslutning", DP, c.work_after(t, c.u(7, 28)))


def psychiatric_bed_blocking(c: Ctx) -> None:
    """A G and B P20: færdigbehandlet on the psychiatric ward, months waiting for supported housing."""
    t = c.anyhour(c.t0)
    c.emit(None, "Akut kontakt", PAM, t)
    t = c.hours_after(t, 0.5, 2)
    c.emit(None, "Indlæggelse", PAM, t, acute=True)
    t = t + c.ln(1.5, 0.4, 0.5, 3)
    c.emit(None, "Overflytning", WARD, t)
    ready = np.maximum(c.work(t + c.ln(12, 0.3, 6, 25)), t + 1)
    c.emit(None, "Færdigmeldt", WARD, ready)
    meet = c.next_meeting(ready + 1) + 14 * c.p(0.4)
    t_meet = meet + c.u(10, 12) / 24
    c.emit(None, "Kommunal visitation", WARD, t_meet)
    out = np.maximum(c.work(meet + c.ln(60, 0.6, 14, 150), 9, 14), t_meet + 2)
    notice = np.minimum(c.work(out - c.u(1.5, 3)), out - 1 / 24)
    c.emit(None, "Varsling", WARD, np.maximum(notice, t_meet + 1))
    c.emit(None, "Udskrivning", WARD, out)
    c.emit(c.p(0.5), "Epikrise", WARD, c.soon(out, 10, 60))
    t = c.hours_after(out, 1, 4)
    c.emit(None, "Indflytning", BO, t)
    t = c.work_after(t, c.u(2, 5))
    c.emit(None, "Ambulant besøg", DP, t)
    t = _visits(c, np.ones(c.n, bool), DP, t, c.ints(1, 3), 21, 10, 35)
    c.emit(None, "Afslutning", DP, c.work_after(t, c.u(7, 28)))


# --- good pathways -----------------------------------------------------------------------
def good_psychiatry(c: Ctx) -> None:
    """B flow A: GP -> PVK -> DP -> treatment -> closure with a discharge letter, all in time."""
    t = _gp_referral(c, None, c.work(c.t0), PVK)
    t = c.work_after(t, c.u(1, 5))
    c.emit(None, "Henvisning modtaget", PVK, t)
    _dp_course(c, np.ones(c.n, bool), t, c.ln(16, 0.3, 7, 27), letter_p=1.0)


def good_copd(c: Ctx) -> None:
    """A K (good practice): COPD with a flexible admission agreement, then lung rehabilitation."""
    t = _gp_referral(c, None, c.work(c.t0), MA)
    t = c.work_after(t, c.u(1, 4))
    c.emit(None, "Henvisning modtaget", MA, t)
    t = c.work_after(t, c.ln(14, 0.3, 5, 25))
    c.emit(None, "Udredning start", MA, t)
    t = c.work_after(t, c.u(0, 14))
    c.emit(None, "Behandling start", MA, t)
    n_adm = c.ints(1, 2)
    for k in range(2):
        active = k < n_adm
        t_adm = c.anyhour(t + c.ln(70, 0.4, 35, 150))  # the patient phones the ward directly
        c.emit(active, "Indlæggelse", MA, t_adm, acute=True)
        out = np.maximum(c.work(t_adm + c.ln(2.5, 0.4, 1, 6), 9, 15), t_adm + 0.25)
        c.emit(active, "Udskrivning", MA, out)
        c.emit(active, "Epikrise", MA, c.soon(out, 10, 40))
        t_ctl = c.work_after(out, c.u(14, 30))
        c.emit(active, "Ambulant besøg", MA, t_ctl)
        t = np.where(active, t_ctl, t)
    t = c.work_after(t, c.u(7, 21))
    c.emit(None, "Genoptræning start", GT, t)
    c.emit(None, "Genoptræning slut", GT, c.work_after(t, c.u(50, 60)))


def good_geriatric(c: Ctx) -> None:
    """C 1.1 / A B: planned discharge with notice, geriatric follow-up at home, GP visit; no readmission."""
    t = c.anyhour(c.t0)
    c.emit(None, "Akut kontakt", VL, t)
    t = c.hours_after(t, 1, 3)
    c.emit(None, "Indlæggelse", AM, t, acute=True)
    t = c.hours_after(t, 3, 10)
    c.emit(None, "Overflytning", MA, t)
    day = np.floor(t + c.ln(5, 0.3, 3, 12))
    day = day + np.array([2, 1, 0, 0, 5, 4, 3])[(day % 7).astype(int)]  # a Wednesday or Thursday
    out = day + c.u(11, 14) / 24
    c.emit(None, "Varsling", MA, out - 2 - c.u(1, 4) / 24)
    c.emit(None, "Udskrivning", MA, out)
    c.emit(None, "Epikrise", MA, c.soon(out, 10, 40))
    t = c.work_after(out, c.u(1, 3))
    c.emit(None, "Ambulant besøg", GER, t)
    t = c.work_after(t, c.u(10, 20))
    c.emit(None, "Ambulant besøg", GER, t)
    c.emit(None, "Afslutning", GER, c.soon(t, 30, 60))
    c.emit(None, "Lægekonsultation", EL, c.work_after(t, c.u(7, 21)))


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("pain_clinic_loop", pain_clinic_loop, "adult", (25, 60), 420, 1.0, False,
             "Pain clinic <-> private psychiatrist until the patient gives up", "A case A"),
    Scenario("department_ring", department_ring, "adult", (40, 80), 420, 1.0, False,
             "Hospital departments referring in a ring", "A cases P, E, H"),
    Scenario("psych_somatic_bounce", psych_somatic_bounce, "adult", (20, 65), 120, 1.2, False,
             "Psychiatric emergency <-> somatic emergency bounce", "A cases A, K, Q; B P16"),
    Scenario("dual_diagnosis", dual_diagnosis, "adult", (20, 55), 400, 1.0, False,
             "Dual diagnosis refused by psychiatry and the addiction centre in turn", "B P1; A case P"),
    Scenario("refusal_rereferral", refusal_rereferral, "adult", (18, 65), 300, 1.0, False,
             "Refusal (afslag) then re-referral", "B P6"),
    Scenario("child_psychiatry_age18", child_psychiatry_age18, "child", (15.0, 17.0), 1000, 0.8, False,
             "Child psychiatry closes at 18, GP re-refers months later", "B P2, P3, P7"),
    Scenario("elderly_readmission", elderly_readmission, "elderly", (75, 95), 150, 1.5, False,
             "Elderly medical patient readmitted within hours, days or 30 days", "A cases D, L, J; C 1.1"),
    Scenario("bed_blocking", bed_blocking, "elderly", (75, 95), 220, 1.0, False,
             "Ready for discharge, weeks or months waiting for a nursing home", "A cases G, M"),
    Scenario("municipality_not_ready", municipality_not_ready, "elderly", (70, 95), 60, 1.0, False,
             "Friday discharge to a municipality that was not ready", "A cases J, O, L"),
    Scenario("long_wait_assessment", long_wait_assessment, "adult", (18, 65), 250, 1.0, False,
             "Assessment starts more than 30 days after the referral", "B P11; DOMAIN [X] udredningsret"),
    Scenario("psychiatric_discharge_gap", psychiatric_discharge_gap, "adult", (20, 65), 150, 1.0, False,
             "No DP contact in the week after psychiatric discharge", "B P5"),
    Scenario("psychiatric_bed_blocking", psychiatric_bed_blocking, "adult", (25, 65), 300, 0.7, False,
             "Færdigbehandlet on the psychiatric ward, waiting for supported housing", "A case G; B P20"),
    Scenario("good_psychiatry", good_psychiatry, "adult", (18, 65), 250, 2.0, True,
             "GP -> PVK -> DP -> treatment -> closure with discharge letter", "B flow A; DOMAIN 7"),
    Scenario("good_copd", good_copd, "elderly", (60, 85), 400, 1.2, True,
             "COPD patient with a flexible admission agreement", "A case K"),
    Scenario("good_geriatric", good_geriatric, "elderly", (78, 95), 60, 1.2, True,
             "Geriatric follow-up after discharge that prevents readmission", "C 1.1; A case B"),
)}

#: scenarios a patient of each group may add as a later episode
COMBINES_WITH = {
    "adult": ("pain_clinic_loop", "department_ring", "psych_somatic_bounce", "dual_diagnosis",
              "refusal_rereferral", "long_wait_assessment", "psychiatric_discharge_gap",
              "psychiatric_bed_blocking", "good_psychiatry"),
    "elderly": ("elderly_readmission", "bed_blocking", "municipality_not_ready", "good_copd",
                "good_geriatric"),
    "child": (),
}
