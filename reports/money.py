"""The run's capital cost and TCO: what the halls cost to build and to run over the plant's
life (kpis.json ``costs``; scenarios.costs, docs/costs.md)."""

from __future__ import annotations

from reports import data as D
from reports import document as doc

#: Capex components and annual items as the report names them.
COMPONENT_NAMES = {
    "white_space": "White space (building per m² of halls)",
    "power_chain": "Power chain (UPS, generators, switchgear)",
    "chillers": "Chillers",
    "heat_rejection": "Heat rejection (towers, dry or hybrid coolers)",
    "air_handling": "Air handling (CRAHs)",
    "cdus": "Coolant distribution units",
    "racks": "Racks, cold plates, tanks",
    "coolant": "Coolant first fill",
}
ANNUAL_NAMES = {
    "energy": "Energy",
    "demand": "Demand charges",
    "water": "Water",
    "maintenance": "Maintenance",
    "coolant_topup": "Coolant top-up",
}


def money_section(run: D.Run) -> doc.Section | None:
    """Capex by component and a year's cost by item; None for a run without ``costs``."""
    costs = run.doc.get("costs")
    if not costs:
        return None
    cur = costs.get("currency") or run.currency
    capex = costs["capex_by_component"]
    total = sum(v for v in capex.values() if v is not None)
    rows = [[doc.text(COMPONENT_NAMES.get(k, k)), doc.num(v, 0), doc.num(100 * v / total, 1)]
            for k, v in capex.items() if v is not None and total > 0]  # fmt: skip
    rows.append([doc.text("Capital cost (capex)"), doc.num(total, 0), doc.num(100.0, 1)])
    annual = costs["annual_by_item"]
    year = [[doc.text(ANNUAL_NAMES.get(k, k)), doc.num(v, 0)] for k, v in annual.items()]
    year.append([doc.text("Annualised capex"), doc.num(costs["annualised_capex"], 0)])
    year.append([doc.text("TCO per year"), doc.num(run.kpis.get("tco_per_year"), 0)])
    per_mwh = run.kpis.get("tco_per_mwh_compute")
    return doc.Section(
        "Capital cost and TCO",
        [
            doc.Paragraph(
                f"Modelled, not quoted: the halls' plant sized at full IT load on the design "
                f"day and priced with coolshift's cost defaults (US dollars of 2023, calibrated "
                f"to Schneider Electric White Paper 282, converted to {cur}) unless the "
                f"scenario's [costs] overrides them. Capital is spread over "
                f"{costs['lifetime_years']:g} years at a {100 * costs['discount_rate']:g} % discount "
                f"rate. TCO per MWh of compute: "
                f"{'n/a' if per_mwh is None else f'{per_mwh:,.1f}'} {cur}/MWh.",
                "note",
            ),
            doc.Table("capex", "Capital cost by component",
                      [doc.Column("Component", width=2.6), doc.Column("Cost", cur, 1, True),
                       doc.Column("Share", "%", 0.6, True)], rows),
            doc.Table(
                "tco", "A year of owning and running the halls",
                [doc.Column("Item", width=2.6), doc.Column("Per year", f"{cur}/year", 1, True)],
                year,
                note=f"Energy, demand and water are the run's {run.hours:,} hours scaled to a "
                     "year (a run of one season carries that season's weather and prices).",
            ),
        ],
        new_page=False,
        anchor="money",
    )
