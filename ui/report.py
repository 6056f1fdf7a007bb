"""Report page: PDF, HTML and XLSX reports of the session's runs, and the scenario as TOML
to repeat the run from the command line."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from scenarios.loading import file_fields, scenario_from_dict, scenario_to_toml
from ui import state, uploads
from ui.errors import error_text, shown_errors
from ui.tables import markdown_text as md

FORMATS = {
    "pdf": ("PDF", "application/pdf"),
    "html": ("HTML", "text/html"),
    "xlsx": ("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
FILES = "report_files"


def render_reports(run_dirs: list[Path]) -> dict[str, bytes | str]:
    """Every report format of the runs: fmt -> bytes, or the error message as text.

    The report is built once from the run directories and rendered in each format.
    """
    from reports.build import build_report
    from reports.data import load_runs
    from reports.output import render

    try:
        report = build_report(load_runs(list(run_dirs)))
    except Exception as exc:
        return dict.fromkeys(FORMATS, error_text(exc, "create the reports"))
    out: dict[str, bytes | str] = {}
    for fmt in FORMATS:
        try:
            out[fmt] = render(report, fmt)
        except Exception as exc:
            out[fmt] = error_text(exc, f"create the {FORMATS[fmt][0]} report")
    return out


def _file_stem(labels: list[str]) -> str:
    stem = "-".join(uploads.safe_name(label) for label in labels)[:80]
    return f"coolshift-{stem}" if stem else "coolshift-report"


def _quick_run() -> None:
    from scenarios.run import run_scenario

    scenario = state.current_scenario()
    with st.spinner("Running the scenario (baselines only)…"):
        result = run_scenario(scenario, optimize=False)
    state.add_run(state.next_run_label(scenario.name) + " (baselines)", result, source="report")


def _reports() -> None:
    runs = state.runs()
    if not runs:
        st.info(
            "No run in this session yet. Run the schedule on the **Workload and schedule** "
            "page, compare on the **Compare** page, or run the current scenario now."
        )
        if st.button("Run the current scenario (baselines only)", key="report_quick_run"):
            with shown_errors("run the scenario"):
                _quick_run()
                st.rerun()
        return
    labels = list(runs)
    own = state.own_run_labels()
    chosen = st.multiselect(
        "Runs in the report",
        labels,
        default=[(own or labels)[-1]],
        key="report_runs",
        help="Several runs make one report that compares them.",
    )
    if not chosen:
        st.warning("Choose at least one run.")
        return
    dirs = [runs[label].run_dir for label in chosen]
    key = tuple(str(d) for d in dirs)
    if st.button("Create the reports", type="primary", key="report_create"):
        with st.spinner("Rendering PDF, HTML and XLSX…"):
            st.session_state[FILES] = (key, render_reports(dirs))
    made = st.session_state.get(FILES)
    if not made or made[0] != key:
        st.caption("Press **Create the reports** to render the chosen runs.")
        return
    stem = _file_stem(chosen)
    cols = st.columns(len(FORMATS))
    for col, (fmt, (name, mime)) in zip(cols, FORMATS.items(), strict=True):
        with col:
            content = made[1][fmt]
            if isinstance(content, str):
                st.error(content)
            else:
                st.download_button(
                    f"Download {name}",
                    content,
                    file_name=f"{stem}.{fmt}",
                    mime=mime,
                    key=f"download_{fmt}",
                    on_click="ignore",
                )
                st.caption(f"{len(content) / 1024:,.0f} KB")


def _scenario_toml() -> None:
    data = state.scenario_data()
    state.current_scenario(data)  # the same checks as a run
    portable = uploads.portable_data(data, state.session_dir())
    text = scenario_to_toml(scenario_from_dict(portable, file=state.scenario_label()))
    name = uploads.safe_name(data.get("name", "scenario")) + ".toml"
    st.download_button(
        "Download the scenario TOML",
        text,
        file_name=name,
        mime="application/toml",
        key="download_toml",
        on_click="ignore",
    )
    files = [Path(v).name for v in file_fields(portable).values()]
    # safe_name leaves letters, digits and ._- only; a leading "-" would read as an option
    path = f"./{name}" if name.startswith("-") else name
    command = f"coolshift run {path} --out runs/{Path(name).stem.lstrip('-') or 'scenario'}"
    st.code(command, language="bash")
    if files:
        st.caption(
            "The scenario names the file(s) "
            + ", ".join(md(f) for f in files)
            + " you uploaded: put them in the same folder as the TOML before running it."
        )
    with st.expander("Show the TOML"):
        st.code(text, language="toml")


def render() -> None:
    state.ensure_scenario()
    st.title("Report")
    st.subheader("Reports of this session's runs")
    with shown_errors("prepare the reports"):
        _reports()
    st.subheader("Repeat from the command line")
    st.caption(
        f"The scenario being edited ({md(state.scenario_label())}), with every change made "
        "in the app, as a scenario file for `coolshift run`."
    )
    with shown_errors("write the scenario as TOML"):
        _scenario_toml()


if __name__ == "__main__":
    render()
