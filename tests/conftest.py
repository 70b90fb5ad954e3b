import warnings

import pytest

from pathways.eventlog import PathwaysWarning


@pytest.fixture(autouse=True)
def _quiet_rejections():
    """Rejections warn by design; tests assert on log.rejected instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PathwaysWarning)
        yield
