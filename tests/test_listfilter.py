"""The list's URL parameters parsed strictly (the API) with the page's defaults; no Streamlit in the API's code."""
from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from entities.listfilter import BadParameter, parse_list_request

INTEGRATIONS = [{"id": 2, "name": "A shop", "enabled_types": ["order", "customer"]},
                {"id": 1, "name": "B shop", "enabled_types": []}]


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"integration": 2, "type": "customer", "statuses": (), "sort": "-last_updated", "page": 1, "size": 50}),
    ({"integration": ["1"]}, {"integration": 1, "type": None}),
    ({"status": ["Pending,error", "error"]}, {"statuses": ("error", "pending")}),
    ({"status": [""], "q": [""]}, {"statuses": (), "q": ""}),
    ({"from": ["2026-11-01"], "to": ["2026-11-02"]}, {"day_from": date(2026, 11, 1), "day_to": date(2026, 11, 2)}),
])
def test_valid_parameters_take_the_page_defaults(query, expected):
    """Parameters a user leaves out take the list page's defaults; statuses follow the palette's order."""
    parsed = parse_list_request(query, INTEGRATIONS)
    assert {key: getattr(parsed, key) for key in expected} == expected


def test_a_database_without_integrations_is_a_bad_parameter():
    """Listing a database that has no integrations yet says so."""
    with pytest.raises(BadParameter, match="no integrations yet"):
        parse_list_request({}, [])


def test_the_api_loads_without_streamlit():
    """The API's modules and the shared list parsing never import Streamlit (domain code must not)."""
    code = ("import sys, entities.listfilter, entities.web.read, entities.web.retry_api, entities.web.metrics, "
            "entities.web.openapi, entities.web.api; assert 'streamlit' not in sys.modules, 'streamlit imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
