"""The modelled breakdown's arithmetic: whole numbers that add up exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dashboard.pipeline.modelled import allocate, largest_remainder

weights = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=8)


@given(total=st.integers(min_value=0, max_value=10**6), weights=weights)
def test_largest_remainder_adds_up(total: int, weights: list[float]) -> None:
    parts = largest_remainder(total, np.array(weights))
    if sum(weights) > 0:
        assert parts.sum() == total
        assert (parts >= 0).all()
        exact = total * np.array(weights) / sum(weights)
        assert (np.abs(parts - exact) < 1 + 1e-9).all()
    else:
        assert parts.sum() == 0


@given(
    data=st.data(),
    staged=st.integers(min_value=0, max_value=100_000),
    mix=st.lists(st.floats(min_value=0.01, max_value=100), min_size=5, max_size=5),
    relative=st.lists(st.floats(min_value=0.5, max_value=1.0), min_size=5, max_size=5),
)
def test_allocate_adds_up_and_never_exceeds_staged(data, staged: int, mix, relative) -> None:
    early = data.draw(st.integers(min_value=0, max_value=staged))
    early_g, staged_g = allocate(staged, early, np.array(mix), np.array(relative))
    assert staged_g.sum() == staged and early_g.sum() == early
    assert (early_g <= staged_g).all() and (early_g >= 0).all()


def test_allocate_worked_example() -> None:
    early_g, staged_g = allocate(100, 50, np.array([1.0, 1.0]), np.array([0.8, 1.0]))
    assert staged_g.tolist() == [50, 50]
    # 50 split in proportion 40:50 -> 22.2 : 27.8 -> 22 : 28
    assert early_g.tolist() == [22, 28]
