"""The built-in scenario library (``coolshift examples``): TOML files shipped in the package."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from scenarios.errors import ScenarioError
from scenarios.loading import read_scenario_data, scenario_from_dict
from scenarios.schema import Scenario


def example_names() -> list[str]:
    """Names of the built-in scenarios, ``default`` first."""
    names = sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("scenarios").joinpath("library").iterdir()
        if p.name.endswith(".toml")
    )
    return sorted(names, key=lambda n: (n != "default", n))


def example_text(name: str) -> str:
    """The TOML text of a built-in scenario."""
    if name not in example_names():
        raise ScenarioError(
            f"unknown scenario {name!r}: not a file, and not a built-in scenario "
            f"({', '.join(example_names())})"
        )
    return resources.files("scenarios").joinpath(f"library/{name}.toml").read_text(encoding="utf-8")


def example_data(name: str) -> dict:
    return tomllib.loads(example_text(name))


def load_example(name: str) -> Scenario:
    return scenario_from_dict(example_data(name), file=f"built-in scenario {name!r}")


def resolve_scenario_arg(arg: str) -> tuple[Scenario, dict, Path | None]:
    """A CLI argument as a scenario: an existing TOML path, else a built-in name.

    Returns
    -------
    scenario, raw data (for --set / sweeps), base folder (None for built-ins)
    """
    path = Path(arg)
    if path.suffix.lower() == ".toml" or path.exists():
        data = read_scenario_data(path)  # read and parsed once: scenario and data agree
        base_dir = path.resolve().parent
        return scenario_from_dict(data, file=str(path), base_dir=base_dir), data, base_dir
    return load_example(arg), example_data(arg), None
