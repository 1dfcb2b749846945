"""Campaign fixtures on top of the suite-wide ``cast`` (tests/conftest.py).

``campaign`` runs over the whole city (area ``city``) with the seeds' defaults, a phase and a
schedule; ``town_campaign`` runs over ``town_a`` only. The interface speaks English
(test_campaign_pages.py checks the Chinese default once).
"""

import datetime

import pytest
from django.utils import translation

from campaigns.services import create_campaign

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def english(settings):
    """The tests read the interface's English msgids: pages and messages in English, whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_campaign(area, name="2026年创先争优活动", actor=None):
    return create_campaign(
        actor,
        name=name,
        area=area,
        starts_on=START,
        ends_on=END,
        phases=[{"name": "第一时段", "theme": "迎接建党105周年", "starts_on": START, "ends_on": END}],
        milestones=[
            {
                "kind": "plan",
                "title": "实施方案报送",
                "opens_on": START,
                "due_on": datetime.date(2026, 3, 31),
            }
        ],
    )


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.city, actor=cast.office)


@pytest.fixture
def town_campaign(cast):
    return make_campaign(cast.town_a, name="甲镇创先争优活动", actor=cast.office)
