"""Another site for the same design: change a scenario's climate, grid carbon or
electricity price and keep everything else (halls, pods, workload, assets, objective).

The app's Site page picks each of the three on its own; loading a built-in scenario
replaces the whole design instead. Every function here takes raw scenario data (the dict a
TOML file reads into) and returns a copy with only the site's parts changed, plus notes on
what else the planner should look at (an amount in the old currency, a jobs file on
another clock). The caller validates the result as it would a TOML file
(:func:`scenarios.loading.scenario_from_dict`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

#: IANA time zone of each built-in typical-year climate (the station's place): the three
#: pvlib years are US stations (Greensboro NC and Miami FL on Eastern time, Sand Point AK
#: on Alaska time; NREL TMY3/TMY2 station headers give UTC-5, -5 and -9 standard time);
#: the cities of the synthetic normals are in China, whose single legal time is Beijing
#: Time, UTC+8 (``Asia/Shanghai`` in the IANA database; the normals table's utc_offset_h
#: is 8 for every city).
CLIMATE_TIMEZONES = {
    "greensboro": "America/New_York",
    "miami": "America/New_York",
    "sand-point": "America/Anchorage",
}
CHINA_TIMEZONE = "Asia/Shanghai"
#: The scenario fields a site switch may change; every other field is kept as it is.
SITE_FIELDS = ("site.name", "site.latitude", "site.longitude", "site.timezone",
               "site.climate", "grid.currency", "grid.carbon", "grid.price",
               "grid.market.carbon_free_from_carbon_file")  # fmt: skip
#: Fields holding an amount of money in the scenario's currency [currency/...]: a change
#: of currency leaves their numbers as they are (no exchange rate is assumed).
MONEY_FIELDS = {
    "objective.carbon_price_per_t": "carbon price [/t]",
    "onsite.export_price_per_kwh": "export price [/kWh]",
    "heat_reuse.price_per_kwh_th": "heat price [/kWh_th]",
    "storage.battery.degradation_cost_per_kwh": "battery wear cost [/kWh]",
}


@dataclass(frozen=True)
class ClimateChoice:
    """A built-in climate as a picker offers it."""

    #: the ``site.climate`` value
    key: str
    #: what the picker shows
    label: str


@dataclass(frozen=True)
class SiteLocation:
    """Where a climate's station is: the site's name, coordinates [°] and time zone."""

    name: str
    latitude: float
    longitude: float
    timezone: str


@dataclass(frozen=True)
class SiteSwitch:
    """Raw scenario data after a switch, and what the planner should check."""

    data: dict
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- choices


def climate_choices() -> list[ClimateChoice]:
    """The built-in climates, typical years first, then the synthetic Chinese cities.

    Reads no weather (the first page lists them quickly): names from the packaged tables.
    """
    from thermal.synthetic import load_normals
    from thermal.weather import PVLIB_CLIMATES, list_climates

    cities = load_normals().drop_duplicates("city")
    cities = cities.set_index(cities["city"].str.lower())
    out = []
    for key in list_climates():
        if key in PVLIB_CLIMATES:
            _, kind, description = PVLIB_CLIMATES[key]
            place = description.split(",")[0]
            out.append(ClimateChoice(key, f"{place} ({kind.upper()})"))
        else:
            row = cities.loc[key]
            place = row["city"] if row["city"] == row["province"] else (
                f"{row['city']}, {row['province']}")
            out.append(ClimateChoice(key, f"{place} (synthetic, CSWD)"))
    return out


def climate_location(climate: str) -> SiteLocation | None:
    """The station of a built-in climate (None for a weather file: its header has no
    time zone, so the site stays where the scenario puts it).

    Raises
    ------
    ScenarioError
        Unknown climate (field ``site.climate``).
    """
    from scenarios.inputs import load_weather
    from scenarios.loading import is_climate_name
    from thermal.weather import PVLIB_CLIMATES

    if not is_climate_name(climate):
        return None
    key = climate.strip().lower()
    attrs = load_weather(key).attrs
    if key in PVLIB_CLIMATES:
        name = PVLIB_CLIMATES[key][2].split(",")[0]
    else:
        name = str(attrs.get("name", key))
    return SiteLocation(
        name=name,
        latitude=round(float(attrs["latitude"]), 4),
        longitude=round(float(attrs["longitude"]), 4),
        timezone=CLIMATE_TIMEZONES.get(key, CHINA_TIMEZONE),
    )


def tariff_currency(key: str) -> str:
    """The currency of a built-in time-of-use tariff.

    Raises
    ------
    ScenarioError
        Unknown tariff (the message lists the built-in ones).
    """
    from scenarios.tariffs import get_tariff

    return get_tariff(key).currency


# --------------------------------------------------------------------------- switches


def with_climate(raw: dict, climate: str, location: SiteLocation | None = None) -> SiteSwitch:
    """``raw`` on another climate; with ``location``, the site moves to it too.

    Parameters
    ----------
    raw : dict
        Raw scenario data.
    climate : str
        A built-in climate name or a weather file path (``site.climate``).
    location : SiteLocation, optional
        The climate's station (:func:`climate_location`): the site's name, latitude,
        longitude and time zone become its. None keeps them.

    Returns
    -------
    SiteSwitch
        Only ``site`` changed (its ``warm_k`` kept).
    """
    out = copy.deepcopy(raw)
    site = out.setdefault("site", {})
    site["climate"] = climate
    notes = []
    if location is not None:
        old_zone = site.get("timezone")
        site.update(name=location.name, latitude=location.latitude,
                    longitude=location.longitude, timezone=location.timezone)  # fmt: skip
        if old_zone != location.timezone:
            notes.extend(_new_clock_notes(out, old_zone, location.timezone))
    return SiteSwitch(out, tuple(notes))


def with_carbon(raw: dict, carbon: dict) -> SiteSwitch:
    """``raw`` with another grid carbon intensity (``grid.carbon`` replaced by ``carbon``).

    A contract that reads its hourly carbon-free share from the carbon file
    (``grid.market.carbon_free_from_carbon_file``) loses that setting when the carbon no
    longer comes from a file; a note says so.
    """
    out = copy.deepcopy(raw)
    grid = out.setdefault("grid", {})
    grid["carbon"] = copy.deepcopy(carbon)
    notes = []
    market = grid.get("market") or {}
    if market.get("carbon_free_from_carbon_file") and carbon.get("source") != "file":
        market.pop("carbon_free_from_carbon_file")
        notes.append(
            "The hourly carbon-free share was read from the carbon file, which is no longer "
            "used: the run has no hourly carbon-free share now (no 24/7 CFE)."
        )
    return SiteSwitch(out, tuple(notes))


def with_price(raw: dict, price: dict, currency: str | None = None) -> SiteSwitch:
    """``raw`` with another electricity price (``grid.price`` replaced by ``price``).

    Parameters
    ----------
    raw : dict
    price : dict
        The new ``grid.price`` table (source flat, tou or file, with its fields).
    currency : str, optional
        The new ``grid.currency``; default the tariff's for a time-of-use tariff, else the
        scenario's.

    Returns
    -------
    SiteSwitch
        Only ``grid.price`` and ``grid.currency`` changed; when the currency changes, a
        note names every amount of the scenario still in the old one.
    """
    out = copy.deepcopy(raw)
    grid = out.setdefault("grid", {})
    old = str(grid.get("currency", "USD"))
    if currency is None and price.get("source") == "tou":
        currency = tariff_currency(str(price.get("tariff")))
    new = old if currency is None else str(currency).strip().upper()
    grid["price"] = copy.deepcopy(price)
    grid["currency"] = new
    notes = []
    if new != old:
        notes.append(f"The currency is now {new} (was {old}).")
        amounts = [f"{label} {value:g}" for label, value in _money(out)]
        if amounts:
            notes.append(
                f"Amounts of the scenario written in {old} keep their numbers, now read as "
                f"{new}: {', '.join(amounts)}. Set them again if they should change."
            )
    return SiteSwitch(out, tuple(notes))


def design_of(raw: dict) -> dict:
    """Everything of raw scenario data a site switch keeps (the fields of
    :data:`SITE_FIELDS` and the description taken out): for checks that a switch left
    the design alone."""
    out = copy.deepcopy(raw)
    out.pop("description", None)
    for dotted in SITE_FIELDS:
        *parents, last = dotted.split(".")
        node = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return out


def _money(raw: dict) -> list[tuple[str, float]]:
    """(label, value) of each amount of :data:`MONEY_FIELDS` the scenario sets (not 0)."""
    found = []
    for dotted, label in MONEY_FIELDS.items():
        node = raw
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, (int, float)) and not isinstance(node, bool) and node:
            found.append((label, float(node)))
    return found


def _new_clock_notes(raw: dict, old_zone, new_zone: str) -> list[str]:
    notes = [
        f"The site's clock is now {new_zone} (was {old_zone}): the horizon starts at "
        "the same local time there, and tariff bands follow the new local time."
    ]
    if (raw.get("workload") or {}).get("jobs"):
        notes.append(
            "The jobs file's timestamps are absolute (UTC offsets): check that its jobs "
            "still fall inside the horizon on the new clock."
        )
    return notes
