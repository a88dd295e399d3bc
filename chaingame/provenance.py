"""What a result says about how it was made, and rerunning it from that: a run's record and folder.

``chaingame run`` writes, beside its numbers, the chaingame version, the resolved scenario as TOML
text (every ``--set`` already applied), the overrides as given, the seed and the burn-in
(:func:`run_record`); :func:`rerun_inputs` reads them back from a ``summary.json``, so that
``chaingame run --from DIR/summary.json`` plays the same game and gets the same numbers bit for bit
(floats are written as the shortest text that reads back as the same double). A sweep's Parquet
table carries the same facts in its schema metadata (:func:`sweep_metadata`, :func:`read_metadata`).

A run never lands silently in another run's folder (:func:`run_folder`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .checks import ScenarioError, show
from .scenario import Scenario, from_table
from .tomltext import dumps

RUN_FILES = ("summary.json", "history.csv", "orders.png", "scenario.toml")  # what a run writes in its folder
METADATA_KEY = b"chaingame"  # the key of a sweep table's provenance in its Parquet schema metadata


def version() -> str:
    """The installed chaingame version."""
    from . import __version__

    return __version__


def run_record(scenario: Scenario, overrides: Mapping[str, Any], seed: int, burn_in: int) -> dict:
    """The facts that decide a run's numbers, as stored at the top of its ``summary.json``."""
    return {
        "chaingame": version(),
        "scenario": scenario.name,
        "title": scenario.title,
        "seed": seed,
        "weeks": scenario.weeks,
        "burn_in": burn_in,
        "information": scenario.information,
        "overrides": dict(overrides),
        "scenario_toml": dumps(scenario.table),
    }


def rerun_inputs(path: str | Path, label: str = "--from") -> tuple[Scenario, int, int, dict]:
    """The scenario, seed and burn-in recorded in a run's ``summary.json`` (or its folder), and the record."""
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    if not path.is_file():
        raise ScenarioError(label, f"{show(str(path))} is not an existing file (allowed: a summary.json written "
                                   "by chaingame run, or its folder)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ScenarioError(label, f"{show(str(path))} is not readable JSON ({type(e).__name__})") from None
    missing = [k for k in ("scenario_toml", "seed", "burn_in") if not isinstance(record, dict) or k not in record]
    if missing:
        raise ScenarioError(label, f"{show(str(path))} has no {', '.join(missing)} (allowed: a summary.json "
                                   "written by chaingame run 0.1 or later)")
    try:
        raw = tomllib.loads(record["scenario_toml"])
    except (TypeError, tomllib.TOMLDecodeError) as e:
        raise ScenarioError(label, f"{show(str(path))}: scenario_toml is not valid TOML ({e})") from None
    return from_table(raw), record["seed"], record["burn_in"], record


def run_folder(out: str | Path | None, name: str, force: bool = False, label: str = "--out") -> Path:
    """Where a run writes: ``out``, or the first of ``chaingame-runs/NAME``, ``NAME-2``, ... that holds no run.

    An ``out`` that already holds a run (any of :data:`RUN_FILES`) is refused unless ``force``.
    """
    if out is None:
        base = Path("chaingame-runs") / name
        k, folder = 1, base
        while _holds_run(folder) or folder.is_file():
            k += 1
            folder = base.with_name(f"{name}-{k}")
        return folder
    if not str(out).strip():  # Path("") is the current folder
        raise ScenarioError(label, '"" is empty (allowed: a folder name, created if missing)')
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(label, f"{show(str(folder))} is a file (allowed: a folder, created if missing)")
    if _holds_run(folder) and not force:
        held = ", ".join(f for f in RUN_FILES if (folder / f).exists())
        raise ScenarioError(label, f"{show(str(folder))} holds another run ({held}) (allowed: a new or empty "
                                   "folder, or add --force to overwrite it)")
    return folder


def _holds_run(folder: Path) -> bool:
    return folder.is_dir() and any((folder / f).exists() for f in RUN_FILES)


def sweep_metadata(sweep) -> dict:
    """A sweep's provenance, stored in its Parquet table: version, sweep table, resolved scenario, seed, burn-in."""
    table = dict(sweep.table)
    if isinstance(table.get("scenario"), Scenario):
        table["scenario"] = table["scenario"].name
    return {
        "chaingame": version(),
        "sweep": str(sweep.source or ""),
        "sweep_toml": dumps(table),
        "scenario": sweep.scenario.name,
        "scenario_toml": dumps(sweep.scenario.table),
        "seed": sweep.seed,
        "burn_in": sweep.burn_in,
        "replications": sweep.replications,
        "fingerprint": sweep.fingerprint(),
    }


def read_metadata(path: str | Path) -> dict | None:
    """The provenance a sweep wrote into its Parquet table (None for a CSV table or one without it)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else None
