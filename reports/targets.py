"""The PUE target check of one run: the site and its halls against the targets that apply
to the site (:mod:`reports.rules`: the scenario's own; China's for sites in China), with
the industry average as context. Said to be modelled, not metered, before the table."""

from __future__ import annotations

from reports import charts, rules
from reports import data as D
from reports import document as doc
from reports.summary import MODELLED_NOT_METERED, TARGET_DECIMALS, pue_basis

#: What the China policy references rest on (kpis.json labels them; cited in full at the end).
CHINA_TARGETS_TEXT = (
    "China's targets: new large and hyperscale data centres below 1.3 by 2025 and national "
    "hub nodes below 1.25 (four-ministry plan, Dec 2021); Yangtze River Delta clusters at "
    "most 1.25 and Qingyang (Gansu) at most 1.2 (hub approvals 2022). China's GB 40879-2021 "
    "uses an annual 'power ratio' (电能比), so a target is formally checked on 12 months.")


def targets_section(run: D.Run) -> doc.Section | None:
    """The site and halls against the targets that apply to the site (the scenario's own,
    China's in China), with the industry average as context; None when no target applies."""
    k = run.kpis
    refs = rules.applicable_references(run.scenario,
                                       run.doc.get("targets", {}).get("references", []))
    china = any(rules.is_china_reference(r) for r in refs)
    if k.get("pue_target") is None and not china:
        return None
    rows = []
    if k.get("pue_target") is not None:
        rows.append(("Scenario target: " + (k.get("pue_target_label") or ""), k["pue_target"]))
    rows += [(r["label"] + ("" if rules.is_china_reference(r) else " (context, not a target)"),
              r["pue"]) for r in refs]
    pods = run.doc.get("pods", {})
    names = [p for p in run.pods if p in pods]
    values = [k["pue"]] + [pods[p]["pue"] for p in names]
    columns = [doc.Column("Reference", width=2.2), doc.Column("PUE limit", width=0.7, numeric=True),
               doc.Column("Site", width=0.75, numeric=True)]
    columns += [doc.Column(p, width=1.05, numeric=True) for p in names]
    table_rows = [[doc.text("PUE of the run (4 decimals)"), doc.text("")]
                  + [doc.num(v, TARGET_DECIMALS) for v in values]]
    for name, limit in rows:
        table_rows.append([doc.text(name), doc.kpi("pue_target", limit)]
                          + [doc.text("no load" if v is None else "met" if v <= limit else "not met")
                             for v in values])
    table = doc.Table("targets", "PUE against targets (met when PUE <= limit)", columns,
                      table_rows, font_scale=0.95)
    figure = doc.Figure("targets", "Site and hall PUE against the targets",
                        "Bars: this run's PUE; lines: the targets that apply to the site and "
                        "the industry average (context).",
                        lambda: charts.targets_chart(run, refs), height_in=2.5)
    where = rules.site_jurisdiction(run.scenario)
    blocks = [doc.Paragraph(MODELLED_NOT_METERED, "note")]
    if china:
        blocks.append(doc.Paragraph(
            f"{CHINA_TARGETS_TEXT} They apply here because the site is in China "
            f"({where.basis}). This run's PUE is a {pue_basis(run)}."))
    else:
        blocks.append(doc.Paragraph(
            f"The scenario's own target; China's targets are not applied (they cover sites in "
            f"China; this site is {where.where}, {where.basis}). This run's PUE is a "
            f"{pue_basis(run)}."))
    blocks += [table, figure]
    return doc.Section("PUE target check", blocks, new_page=False, anchor="targets")
