from __future__ import annotations

import pytest

from casework.services import Services
from tests.conftest import Factory
from tests.search.world import SearchWorld


@pytest.fixture()
def world(svc: Services, factory: Factory) -> SearchWorld:
    return SearchWorld(svc, factory)
