"""A stage file whose areas do not nest in the 2022 geography stops the build with one line
naming the file, the codes and the size of the difference."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.errors import InputError
from dashboard.pipeline import stage
from dashboard.pipeline.areas import AreaIndex

pytestmark = pytest.mark.sources


@pytest.fixture()
def tampered(sources_dir: Path, tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    target = tmp_path / stage.STAGE_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(sources_dir / stage.STAGE_FILE, target)
    return tmp_path, pd.read_csv(target)


def _write(root: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(root / stage.STAGE_FILE, index=False)


def test_an_alliance_that_does_not_add_up_stops_the_build(tampered, geodata_dir: Path) -> None:
    root, frame = tampered
    row = (frame["Geography Name"] == "Wessex") & (frame["Year"] == 2020) & (frame["Site"] == "Lung")
    frame.loc[row, ["Stage 1", "Missing stage"]] += 5  # published completeness no longer matches either: keep it consistent
    staged = frame.loc[row, ["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Staged - other early", "Staged - other advanced"]].sum(axis=1)
    total = staged + frame.loc[row, ["Unstageable", "Missing stage"]].sum(axis=1)
    frame.loc[row, "Percentage completeness"] = (staged / total * 100).round(1)
    _write(root, frame)
    with pytest.raises(InputError) as caught:
        stage.read_stage_counts(root, AreaIndex.load(geodata_dir))
    message = str(caught.value)
    assert "\n" not in message
    assert str(root / stage.STAGE_FILE) in message and "E56000016" in message  # Wessex
    assert "1 year × site cells" in message and "differ by up to 10" in message


def test_england_that_does_not_add_up_stops_the_build(tampered, geodata_dir: Path) -> None:
    root, frame = tampered
    frame.loc[(frame["Geography Name"] == "England") & (frame["Year"] == 2013) & (frame["Site"] == "Bladder"), "Unstageable"] += 3
    frame.loc[frame["Geography Name"] == "England", "Percentage completeness"] = (
        frame[["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Staged - other early", "Staged - other advanced"]].sum(axis=1)
        / frame[["Stage 1", "Stage 2", "Stage 3", "Stage 4", "Staged - other early", "Staged - other advanced", "Unstageable", "Missing stage"]].sum(axis=1) * 100
    ).round(1)
    _write(root, frame)
    with pytest.raises(InputError, match=r"England \(\['E92000001'\]\) does not equal the sum of its ICBs in 1 year × site cells \(diagnoses differ by up to 3\)"):
        stage.read_stage_counts(root, AreaIndex.load(geodata_dir))


def test_an_icb_with_no_alliance_stops_the_build(geodata_dir: Path) -> None:
    icbs = pd.DataFrame({"area_level": ["icb"], "area_code": ["E54999999"], "year": [2022], "cancer_type": ["Lung"], "early": [1], "staged": [2], "diagnosed": [3]})
    with pytest.raises(InputError, match=r"stage\.csv: ICB\(s\) \['E54999999'\] have no alliance in the 2022 mapping"):
        stage.alliances_from_icbs(icbs, AreaIndex.load(geodata_dir), Path("stage.csv"))
