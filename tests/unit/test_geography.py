from __future__ import annotations

import pytest

from dashboard.core.geography import normalise_area_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("NHS Frimley Integrated Care Board", "frimley"),
        ("Lancashire & South Cumbria Cancer Alliance", "lancashire and south cumbria"),
        ("East of England - North Cancer Alliance", "east of england north"),
        ("NHS Mid and South Essex ICB - 99E", "mid and south essex icb 99e"),
        ("  Somerset, Wiltshire, Avon and Gloucestershire ", "somerset wiltshire avon and gloucestershire"),
        ("NHS Halton CCG", "halton"),
    ],
)
def test_normalise_area_name(name: str, key: str) -> None:
    assert normalise_area_name(name) == key


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("NHS Frimley Integrated Care Board", "Frimley"),
        ("NHS South Yorkshire ICB - 02P", "South Yorkshire 02P"),
        ("Lancashire & South Cumbria Cancer Alliance", "Lancashire & South Cumbria"),
        ("England", "England"),
    ],
)
def test_short_name_for_charts_and_speech(name: str, short: str) -> None:
    from dashboard.core.geography import short_name

    assert short_name(name) == short
