"""Property-based fuzzing (hypothesis) of every server callback and of the URL parser (issue 14).

Whatever JSON a client sends, the answer is 200 or a 400 that says why: never a 5xx. A body of
the right shape whose values are of the right types, whatever they say, is answered 200 with a
view the catalogue has (the callbacks check values against it; web/edge.py checks shapes and
types). bench/fuzz.py sends recorded and mutated bodies to a real server, 5,000 and more.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.selection import URL_PARAMETERS, Selection
from dashboard.web import ids
from dashboard.web.app import create_app
from dashboard.web.callbacks import PAGE_INPUTS, first_visit_request
from dashboard.web.charts import CHARTS
from dashboard.web.urlstate import decode, encode

UPDATE = "/_dash-update-component"
JSON = {"Content-Type": "application/json"}
EXAMPLES = 150  # per property below; each is one request to the app (about 10 ms on the tiny data)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=16)
FIELDS = list(URL_PARAMETERS)
words = st.text(max_size=30) | st.sampled_from(["early_stage", "mortality_crude", "Lung", "All cancers", "2022", "icb", "subicb", "alliance", "E54000022", "E56000022", "imd_quintile", "All", "none", ""])


@pytest.fixture(scope="module")
def app(tiny_dataset):
    return create_app(dataset=tiny_dataset, warm_in_background=False)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def page_body(values: dict[tuple[str, str], object], store: object, changed: str) -> dict:
    body = first_visit_request("")
    body["inputs"] = [{**item, "value": values.get((item["id"], item["property"]), item["value"])} for item in body["inputs"]]
    body["state"] = [{**body["state"][0], "value": store}]
    body["changedPropIds"] = [changed]
    return body


def answer(client, body) -> tuple[int, dict | None]:
    response = client.post(UPDATE, data=json.dumps(body), headers=JSON)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return response.status_code, (response.get_json() if response.status_code == 200 else None)


@FUZZ
@given(body=json_values)
def test_any_json_body_is_answered_without_a_server_error(client, body) -> None:
    status, _ = answer(client, body)
    assert status == 400


@FUZZ
@given(
    values=st.dictionaries(st.sampled_from(PAGE_INPUTS), json_values, max_size=6),
    store=json_values, changed=st.sampled_from([f"{c}.{p}" for c, p in PAGE_INPUTS]),
)
def test_any_values_in_the_page_callback_are_answered_or_refused(client, values, store, changed) -> None:
    status, _ = answer(client, page_body(values, store, changed))
    assert status in (200, 400)


# Values of the types the page's components hold, saying anything at all.
typed_values = {
    (ids.URL, "search"): st.builds(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs), st.lists(st.tuples(st.sampled_from([*URL_PARAMETERS.values(), "chart", "present", "zz"]), words), max_size=6)),
    (ids.MAP, "clickData"): st.dictionaries(st.text(max_size=8), json_values, max_size=3) | st.builds(lambda v: {"points": [{"location": v}]}, words),
    (ids.RANKED, "clickData"): st.builds(lambda v: {"points": [{"customdata": v}]}, json_values),
    (ids.CHART, "value"): st.sampled_from(list(CHARTS)) | st.text(max_size=12),
    (ids.PRESENT, "n_clicks"): st.integers(min_value=-5, max_value=10**12),
    **{(ids.CONTROLS[f], "value"): words for f in ids.CONTROLS},
}


@FUZZ
@given(
    values=st.fixed_dictionaries({}, optional=typed_values),
    store=st.none() | st.dictionaries(st.sampled_from([*FIELDS, "chart", "present", "zz"]), words, max_size=10),
    changed=st.sampled_from([f"{c}.{p}" for c, p in PAGE_INPUTS]),
)
def test_values_of_the_right_types_give_a_view_the_catalogue_has(client, app, values, store, changed) -> None:
    status, body = answer(client, page_body(values, store, changed))
    assert status == 200
    shown = body["response"].get(ids.SELECTION, {}).get("data")
    if shown is not None:  # no_update: the page already shows what was asked
        explorer = app.server.extensions["cancer_variation_explorer"]
        sel = Selection.from_dict({k: v for k, v in shown.items() if k in FIELDS})
        assert explorer.normalise(sel)[0] == sel
        assert sel.indicator in explorer.order


@FUZZ
@given(clicks=json_values, store=json_values)
def test_the_download_is_answered_or_refused_whatever_the_store_holds(client, clicks, store) -> None:
    body = {
        "output": f"{ids.DOWNLOAD}.data", "outputs": {"id": ids.DOWNLOAD, "property": "data"},
        "inputs": [{"id": ids.DOWNLOAD_BUTTON, "property": "n_clicks", "value": clicks}],
        "state": [{"id": ids.SELECTION, "property": "data", "value": store}],
        "changedPropIds": [f"{ids.DOWNLOAD_BUTTON}.n_clicks"],
    }
    status, _ = answer(client, body)
    assert status in (200, 400)


@settings(max_examples=500, deadline=None)
@given(search=st.text(max_size=300) | st.builds(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs), st.lists(st.tuples(st.sampled_from([*URL_PARAMETERS.values(), "chart"]), words), max_size=8)))
def test_any_address_decodes_to_a_valid_view_whose_link_opens_it_again(tiny_explorer, search: str) -> None:
    sel, _notices = decode(search, tiny_explorer)
    assert tiny_explorer.normalise(sel)[0] == sel
    again, notices = decode(encode(sel), tiny_explorer)
    assert (again, notices) == (sel, [])
