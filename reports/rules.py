"""Which targets and reporting schemes apply to a site: decided here, once, for every
report (single runs, comparisons, fleets).

A scenario names no country; its IANA time zone does. Each zone of mainland China and
of the EU member states is listed below (canonical names and their old aliases, from the
IANA tz database's ``zone.tab`` / ``backward``), so the rule is a table look-up anyone can
check, with no file or network at report time:

* China's PUE targets (four-ministry plan 2021, hub approvals 2022, MIIT 2021-2023 plan)
  apply to sites in mainland China only. Hong Kong and Macao (their own zones) are not
  covered by them.
* The EU Energy Efficiency Directive's reporting fields (Delegated Regulation (EU)
  2024/1364) apply to sites in the EU; any other site gets them only when the report is
  asked for them (``eed=True``).
* A zone that names no country (``UTC``, ``Etc/GMT-8``) falls back to the grid: a
  Chinese grid factor or tariff (keys ``cn-...``) places the site in China.
* The scenario's own target (``[targets] pue``) always applies: the user set it.
* The industry-average PUE is shown as context, never as a target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Time zones of mainland China (IANA: Asia/Shanghai, Asia/Urumqi; backward aliases).
CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Urumqi", "Asia/Chongqing", "Asia/Chungking",
                         "Asia/Harbin", "Asia/Kashgar", "PRC"})
#: Time zones of the 27 EU member states (ISO 3166 code), including the outermost
#: regions that are part of the EU (Azores, Madeira, Canaries, French overseas
#: departments) and the old aliases still accepted by the tz database.
EU_ZONES: dict[str, str] = {
    "Europe/Vienna": "AT", "Europe/Brussels": "BE", "Europe/Sofia": "BG",
    "Europe/Zagreb": "HR", "Asia/Nicosia": "CY", "Asia/Famagusta": "CY",
    "Europe/Nicosia": "CY", "Europe/Prague": "CZ", "Europe/Copenhagen": "DK",
    "Europe/Tallinn": "EE", "Europe/Helsinki": "FI", "Europe/Mariehamn": "FI",
    "Europe/Paris": "FR", "America/Cayenne": "FR", "America/Guadeloupe": "FR",
    "America/Martinique": "FR", "Indian/Reunion": "FR", "Indian/Mayotte": "FR",
    "America/Marigot": "FR", "Europe/Berlin": "DE", "Europe/Busingen": "DE",
    "Europe/Athens": "GR", "Europe/Budapest": "HU", "Europe/Dublin": "IE", "Eire": "IE",
    "Europe/Rome": "IT", "Europe/Riga": "LV", "Europe/Vilnius": "LT",
    "Europe/Luxembourg": "LU", "Europe/Malta": "MT", "Europe/Amsterdam": "NL",
    "Europe/Warsaw": "PL", "Poland": "PL", "Europe/Lisbon": "PT", "Portugal": "PT",
    "Atlantic/Madeira": "PT", "Atlantic/Azores": "PT", "Europe/Bucharest": "RO",
    "Europe/Bratislava": "SK", "Europe/Ljubljana": "SI", "Europe/Madrid": "ES",
    "Africa/Ceuta": "ES", "Atlantic/Canary": "ES", "Europe/Stockholm": "SE",
}  # fmt: skip
#: Zones that name no place (the grid decides, see :func:`jurisdiction`).
_PLACELESS_PREFIXES = ("Etc/", "UTC", "GMT", "UCT", "Universal", "Zulu")
#: Label prefix of the China policy references in kpis.json written before they carried
#: ``target_in`` (scenarios.kpis.PUE_REFERENCES).
CHINA_PREFIX = "China:"


@dataclass(frozen=True)
class Jurisdiction:
    """Where a site is, as far as the report's rules need it.

    Attributes
    ----------
    region : str
        ``"CN"`` (mainland China), ``"EU"`` or ``""`` (elsewhere or not known).
    country : str
        ISO 3166 alpha-2 code where known (``"CN"``, ``"DE"``), else ``""``.
    basis : str
        How it was decided, said in the report (``time zone Asia/Shanghai``).
    """

    region: str
    country: str
    basis: str

    @property
    def china(self) -> bool:
        return self.region == "CN"

    @property
    def eu(self) -> bool:
        return self.region == "EU"

    @property
    def where(self) -> str:
        """``in China`` / ``in the EU (DE)`` / ``outside China and the EU``."""
        if self.china:
            return "in China"
        if self.eu:
            return f"in the EU ({self.country})"
        return "outside China and the EU"


def jurisdiction(timezone: str, grid_keys: Iterable[str | None] = ()) -> Jurisdiction:
    """The site's jurisdiction from its IANA time zone (and, for a zone that names no
    place, from the keys of its grid factor and tariff).

    Parameters
    ----------
    timezone : str
        The scenario's ``[site] timezone``.
    grid_keys : iterable of str or None
        Built-in grid-factor and tariff keys of the scenario (``cn-east-2023``); used only
        when the zone names no place.
    """
    if timezone in CHINA_ZONES:
        return Jurisdiction("CN", "CN", f"time zone {timezone}")
    if timezone in EU_ZONES:
        return Jurisdiction("EU", EU_ZONES[timezone], f"time zone {timezone}")
    if timezone.startswith(_PLACELESS_PREFIXES):
        chinese = sorted({k for k in grid_keys if k and k.lower().startswith("cn-")})
        if chinese:
            return Jurisdiction("CN", "CN", f"time zone {timezone} names no place; Chinese "
                                            f"grid data ({', '.join(chinese)})")
        return Jurisdiction("", "", f"time zone {timezone} names no place")
    return Jurisdiction("", "", f"time zone {timezone}")


def site_jurisdiction(scenario) -> Jurisdiction:
    """:func:`jurisdiction` of a :class:`scenarios.schema.Scenario`."""
    grid = scenario.grid
    keys = (getattr(grid.carbon, "factor", None), getattr(grid.price, "tariff", None))
    return jurisdiction(scenario.site.timezone, keys)


def china_targets_apply(scenario) -> bool:
    """China's PUE targets apply: the site is in mainland China."""
    return site_jurisdiction(scenario).china


def eed_applies(scenario, requested: bool | None = None) -> bool:
    """The EU EED reporting fields belong in the report.

    Parameters
    ----------
    requested : bool or None
        True: always (asked for); False: never; None (default): only for a site in the EU.
    """
    if requested is not None:
        return bool(requested)
    return site_jurisdiction(scenario).eu


def is_china_reference(reference: dict) -> bool:
    """A China policy target: ``target_in`` "CN" (kpis.json since it says so; a run
    directory written before: its label's "China:" prefix)."""
    if "target_in" in reference:
        return reference["target_in"] == "CN"
    return str(reference.get("label", "")).startswith(CHINA_PREFIX)


def applicable_references(scenario, references: Iterable[dict]) -> list[dict]:
    """The policy references of kpis.json that apply to the site: China's only in China;
    the others (the industry average) everywhere, as context."""
    china = china_targets_apply(scenario)
    return [r for r in references if china or not is_china_reference(r)]


def policy_targets(scenario, references: Iterable[dict]) -> list[dict]:
    """The applicable references that are targets (not context such as an average)."""
    return [r for r in applicable_references(scenario, references) if is_china_reference(r)]


def eed_text(scenario, requested: bool | None = None) -> str:
    """One line saying whether the EED fields are in the report and why."""
    where = site_jurisdiction(scenario)
    if requested is True and not where.eu:
        return f"shown on request (the site is {where.where}; {where.basis})"
    if requested is False:
        return "not shown (left out on request)"
    if where.eu:
        return f"shown: the site is {where.where} ({where.basis})"
    return (f"not shown: the site is {where.where} ({where.basis}); they are added on "
            "request")


def targets_text(scenario) -> str:
    """One line saying whether China's PUE targets are applied and why."""
    where = site_jurisdiction(scenario)
    if where.china:
        return f"applied: the site is in China ({where.basis})"
    return f"not applied: they cover sites in China; this site is {where.where} ({where.basis})"


__all__ = ["CHINA_ZONES", "EU_ZONES", "Jurisdiction", "applicable_references",
           "china_targets_apply", "eed_applies", "eed_text", "is_china_reference",
           "jurisdiction", "policy_targets", "site_jurisdiction", "targets_text"]
