"""Built-in annual grid emission factors (location-based, average) [g CO2/kWh].

Use one when no hourly carbon series exists for the site, as for Chinese grids (no
public hourly series is published); the run then says so in its outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.errors import ScenarioError


@dataclass(frozen=True)
class GridFactor:
    key: str
    name: str
    g_per_kwh: float
    year: int
    source: str


_MEE = "MEE / NBS grid emission factors (reference/kpis-policy.md)"
_EGRID = (
    "US EPA eGRID2022 subregion total output emission rate, CO2e (as transcribed in a public "
    "eGRID2022 seed table; verify against the EPA workbook)"
)

GRID_FACTORS: dict[str, GridFactor] = {
    f.key: f
    for f in (
        GridFactor("cn-national-2023", "China national average 2023", 530.6, 2023, _MEE),
        GridFactor("cn-north-2023", "China North grid 2023", 636.1, 2023, _MEE),
        GridFactor("cn-northeast-2023", "China Northeast grid 2023", 512.2, 2023, _MEE),
        GridFactor("cn-east-2023", "China East grid 2023", 550.0, 2023, _MEE),
        GridFactor("cn-central-2023", "China Central grid 2023", 527.1, 2023, _MEE),
        GridFactor("cn-northwest-2023", "China Northwest grid 2023", 554.3, 2023, _MEE),
        GridFactor("cn-south-2023", "China South grid 2023", 404.2, 2023, _MEE),
        GridFactor("cn-southwest-2023", "China Southwest grid 2023", 247.2, 2023, _MEE),
        GridFactor("us-srvc-2022", "SERC Virginia/Carolina (eGRID SRVC) 2022", 284.0, 2022, _EGRID),
        GridFactor("us-frcc-2022", "FRCC All (eGRID FRCC) 2022", 370.0, 2022, _EGRID),
        GridFactor("us-camx-2022", "WECC California (eGRID CAMX) 2022", 226.0, 2022, _EGRID),
        GridFactor("us-average-2022", "US average 2022", 375.0, 2022, _EGRID),
    )
}


def get_grid_factor(key: str) -> GridFactor:
    if key not in GRID_FACTORS:
        raise ScenarioError(
            f"unknown grid factor {key!r}; built-in factors: {', '.join(GRID_FACTORS)}"
        )
    return GRID_FACTORS[key]
