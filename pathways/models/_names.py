"""Milestone names shared by reference pathways and rules: matching and the did-you-mean message."""

from __future__ import annotations

import difflib

from ..errors import closest


def absent_message(log, what: str, name: str, types: set[str]) -> str:
    """``what`` (e.g. "step 2 of 'PVK', 'visitaton',") matches no event: the closest event type or activity.

    Event types and activities of the log are both candidates; a close match with
    the same letter case wins ('visitaton' -> 'visitation', 'Visitaton' -> 'Visitation').
    """
    bare = name.split(":", 1)[1].strip() if name.startswith(("activity:", "event_type:")) else name
    acts = sorted(str(a) for a in log.table.select("activity").distinct().to_pyarrow().column(0).to_pylist()
                  if a is not None)
    present = sorted(str(a) for a in log.table.select("event_type").distinct().to_pyarrow().column(0).to_pylist()
                     if a is not None)
    if name.startswith("activity:"):
        pool = acts
    elif name.startswith("event_type:"):
        pool = present
    else:
        pool = present + [a for a in acts if a not in present]
    exact = difflib.get_close_matches(bare, pool, n=1, cutoff=0.6)
    hint = exact[0] if exact else closest(bare, pool)
    text = f"{what} matches no event of this log."
    if bare in types and bare not in present and not name.startswith("activity:"):
        text += (f" {bare!r} is an event type no activity of this log maps to; map your activity names with "
                 "Vocabulary.default().extend({'<activity>': " + repr(bare) + "}) when building the log.")
    elif hint:
        text += f" Did you mean {hint!r}?"
    return text + f" Event types in the log: {', '.join(present)}."


__all__ = ["absent_message"]
