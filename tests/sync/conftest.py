from __future__ import annotations

import pytest
from sync_helpers import FAMILY, Syncer

from pc_calendar.backends.memory import MemoryBackend


@pytest.fixture
def memory():
    return MemoryBackend(FAMILY, label="memory alex")


@pytest.fixture
def syncer(tmp_path, memory):
    return Syncer(tmp_path, memory)
