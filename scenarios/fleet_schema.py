"""A fleet scenario (issue 16): several sites, one shared workload, a network between them.

A fleet file is a scenario file with ``[[sites]]`` tables instead of one ``[site]``:

.. code-block:: toml

    name = "east-west"

    [[sites]]
    name = "shanghai"         # unique; pods become "shanghai/<pod>"
    scenario = "hub-shanghai" # a built-in scenario, or a scenario file (relative to this one)

    [[sites]]
    name = "chengdu"
    scenario = "hub-chengdu"
    open_share = 0.5          # half of each hall's room above inference is open to moved work

    [workload.generator]      # one workload for the whole fleet
    count = 60
    homes = ["shanghai"]      # where the jobs come from (default: every site)
    data_tb = [0.5, 20.0]     # data each job would have to move [TB]

    [network]                 # how data move (optimizer.fleet.Network's defaults)
    cost_per_tb = 0.0

Each site keeps its own climate, grid, tariff, halls and assumptions; its own workload,
horizon, objective and solver settings are replaced by the fleet's (a fleet is scheduled
as one). A jobs CSV may add the columns ``home``, ``sites`` (``|``-separated), ``data_tb``
and ``latency``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from optimizer.fleet import ENERGY_KWH_PER_TB, HOME_ONLY_LATENCY, POD_SEP, TRANSFER_H_PER_TB
from optimizer.readers import MAX_DATA_TB
from scenarios.schema import (
    MAX_ASSUMPTIONS,
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_PATH_CHARS,
    MAX_SCENARIO_NAME_CHARS,
    NAME_PATTERN,
    Generator,
    Horizon,
    ObjectiveSpec,
    Solver,
    Workload,
    _Model,
)

#: Most sites in a fleet [-]: China has 8 hub nodes and 10 clusters; 100 leaves room for
#: a provider's whole estate while each site is simulated once per schedule.
MAX_SITES = 100
#: Longest site name [characters]: it names a folder (255 bytes; 64 CJK characters take
#: 192 bytes in UTF-8).
MAX_SITE_NAME_CHARS = 64
#: Highest network energy per TB [kWh/TB]: 100x the 2015 internet average (60 kWh/TB,
#: Aslan et al. 2018) is a unit mistake (per GB).
MAX_ENERGY_KWH_PER_TB = 6_000.0
#: Highest transfer time per TB [h/TB]: 1 Mbit/s moves a TB in ~2,200 h.
MAX_TRANSFER_H_PER_TB = 10_000.0
#: Highest transfer charge per TB [currency/TB]: cloud egress is ~20-90 USD/TB.
MAX_COST_PER_TB = 1e6


class FleetSite(_Model):
    """One site of a fleet: a name and the scenario that describes it."""

    name: str = Field(min_length=1, max_length=MAX_SITE_NAME_CHARS, pattern=NAME_PATTERN,
                      description="unique; letters, digits, '_', '.', '-' (it names the "
                      "site's folder of the run and its pods, site/pod)")
    scenario: str = Field(min_length=1, max_length=MAX_PATH_CHARS,
                          description="a built-in scenario name or a scenario file")
    open_share: float = Field(
        default=1.0, ge=0, le=1,
        description="share of each hall's job capacity (room above its inference load) "
        "open to jobs moved here from another site; 1: all of it, 0: none")


class FleetGenerator(Generator):
    """Seeded random jobs of a fleet: the single-site generator, plus where they come
    from and how much data each would have to move."""

    homes: list[Annotated[str, Field(min_length=1, max_length=MAX_SITE_NAME_CHARS)]] | None = Field(
        default=None, max_length=MAX_SITES,
        description="sites the jobs come from, in turn (default: every site)")
    data_tb: tuple[Annotated[float, Field(ge=0, le=MAX_DATA_TB)],
                   Annotated[float, Field(ge=0, le=MAX_DATA_TB)]] = (0.0, 0.0)

    @model_validator(mode="after")
    def _data_range(self) -> FleetGenerator:
        if self.data_tb[1] < self.data_tb[0]:
            raise ValueError("data_tb must be [low, high] with low <= high")
        return self


class FleetWorkload(Workload):
    """A site's workload (a jobs CSV or a generator), the fleet's generator."""

    generator: FleetGenerator | None = None


class NetworkSpec(_Model):
    """How jobs' data move between sites (optimizer.fleet.Network; sources there)."""

    energy_kwh_per_tb: float = Field(default=ENERGY_KWH_PER_TB, ge=0,
                                     le=MAX_ENERGY_KWH_PER_TB)
    energy_source: str = Field(
        default="Aslan et al. 2018 (J. Ind. Ecol. 22(4)), 0.06 kWh/GB in 2015 halving every "
        "two years, extrapolated to 2023", max_length=MAX_NOTE_CHARS)
    cost_per_tb: float = Field(default=0.0, ge=0, le=MAX_COST_PER_TB)
    transfer_h_per_tb: float = Field(default=TRANSFER_H_PER_TB, ge=0, le=MAX_TRANSFER_H_PER_TB)
    home_only_latency: list[Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]] = (
        Field(default_factory=lambda: list(HOME_ONLY_LATENCY), max_length=100))


class Fleet(_Model):
    """A whole fleet scenario: its sites, one workload, the network, the objective."""

    name: str = Field(min_length=1, max_length=MAX_SCENARIO_NAME_CHARS)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_CHARS)
    sites: list[FleetSite] = Field(min_length=1, max_length=MAX_SITES)
    workload: FleetWorkload = FleetWorkload()
    network: NetworkSpec = NetworkSpec()
    objective: ObjectiveSpec = ObjectiveSpec()
    horizon: Horizon | None = None
    solver: Solver = Solver()
    assumptions: list[Annotated[str, Field(max_length=MAX_NOTE_CHARS)]] = Field(
        default_factory=list, max_length=MAX_ASSUMPTIONS)

    @model_validator(mode="after")
    def _unique_sites(self) -> Fleet:
        names = [s.name for s in self.sites]
        folded = [n.casefold() for n in names]  # site folders: one per name, whatever the case
        dupes = sorted({n for n, f in zip(names, folded, strict=True) if folded.count(f) > 1})
        if dupes:
            raise ValueError(f"site names must be unique (ignoring case: each names a folder); "
                             f"repeated: {', '.join(dupes)}")
        homes = self.workload.generator.homes if self.workload.generator else None
        unknown = [h for h in homes or () if h not in names]
        if unknown:
            raise ValueError(f"workload.generator.homes names unknown site(s) "
                             f"{', '.join(map(repr, unknown))}; sites are "
                             f"{', '.join(map(repr, names))}")
        return self


def is_fleet_data(data: dict) -> bool:
    """Whether raw scenario data describe a fleet: a ``sites`` list of tables, or one
    table naming a ``scenario`` (``[sites]`` written for ``[[sites]]``, which the fleet's
    loader then refuses saying so). A ``[sites]`` table without one is a single-site
    scenario's ``[site]`` mistyped, and its loader says that."""
    sites = data.get("sites") if isinstance(data, dict) else None
    return isinstance(sites, list) or (isinstance(sites, dict) and "scenario" in sites)


__all__ = ["POD_SEP", "Fleet", "FleetGenerator", "FleetSite", "FleetWorkload", "NetworkSpec",
           "is_fleet_data"]
