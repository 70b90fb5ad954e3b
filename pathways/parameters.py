"""The parameters of the public API: one name, one meaning, defaults stated once.

Every parameter name of a public function means the same thing wherever it
appears; ``docs/parameters.md`` is the table (name, meaning, default, the
functions that take it), and ``tests/test_parameters.py`` checks it against the
signatures. The defaults of DOMAIN.md section 4 live here, and the functions,
the report and the command line take them from here.

Names that changed are accepted for one release with a ``DeprecationWarning``
(:func:`renamed`).
"""

from __future__ import annotations

import functools
import warnings

from .errors import OptionError, outside_stacklevel

# --- defaults (DOMAIN.md section 4) -------------------------------------------------------------
#: circular referrals and routes: the longest time from leaving a unit to coming back to it
LOOP_WITHIN = "180D"
#: circular referrals and routes: the most other units between leaving a unit and coming back
MAX_BETWEEN = 4
#: circular referrals: no event for this long after the last return means the patient gave up
QUIET_FOR = "90D"
#: handovers: a gap (nobody holds the patient) over this is long ("falder mellem to stole")
GAP_THRESHOLD = "7D"
#: waits and process maps: a wait over this is long (the 30-day udredningsret)
WAIT_THRESHOLD = "30D"
#: psychiatric-somatic bounces: the longest time from the first crossing to the crossing back
BOUNCE_WITHIN = "30D"
#: readmissions: the longest time from a discharge to the next admission that counts
READMISSION_WITHIN = "30D"
#: readmissions: the short windows reported besides ``within`` (exact hours, and local calendar days)
READMISSION_WITHIN_HOURS = "72h"
READMISSION_WITHIN_DAYS = 3
#: revolving door: the window in which ``n`` admissions make a revolving-door patient
REVOLVING_WITHIN = "365D"
REVOLVING_N = 3
#: discharges: the notice the municipality should get before a discharge
NOTICE_RULE = "48h"
#: discharges: "Friday afternoon" is a local time on a Friday at or after this hour
AFTERNOON_FROM_HOUR = 15
#: hospital notifications: a notification sent later than this after its event is late. MedCom asks for
#: notifications on real-time registration and names no deadline in hours, so this is an assumption
NOTIFICATION_THRESHOLD = "1h"
#: privacy: counts under this are shown as "<5" (DOMAIN.md section 6)
MIN_COUNT = 5
#: readmissions: the attribute names that say an admission was acute, looked for by ``acute="auto"``
ACUTE_COLUMNS = ("acute", "akut")


def renamed(**old_to_new: str):
    """Decorator: accept each old keyword ``old`` as ``old_to_new[old]`` for one release, with a DeprecationWarning.

    Examples
    --------
    >>> import warnings
    >>> @renamed(swimlanes="lanes")
    ... def draw(*, lanes="sector"):
    ...     return lanes
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     draw(swimlanes="domain"), str(seen[0].message)
    ('domain', 'draw(swimlanes=...) is now draw(lanes=...); the old name is accepted until the next release.')
    """
    def wrap(function):
        @functools.wraps(function)
        def call(*args, **kwargs):
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise OptionError(f"{function.__name__}() got both {new}= and {old}=, its old name. "
                                      f"Give {new}= only.")
                warnings.warn(f"{function.__name__}({old}=...) is now {function.__name__}({new}=...); the old "
                              "name is accepted until the next release.", DeprecationWarning,
                              stacklevel=outside_stacklevel())
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        call.renamed = {**getattr(function, "renamed", {}), **old_to_new}
        return call

    return wrap
