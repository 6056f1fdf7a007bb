"""A Streamlit page for tests/security/test_browser_injection.py: every hostile text
through the app's own message builders (Markdown, error messages, a Markdown table, a
metric, a status) and a Plotly chart, in the container ``st-key-escaped``; and, as the
control, the same Markdown and chart unescaped in ``st-key-raw``."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scenarios.errors import ScenarioError
from tests.security.hostile import FIELDS, FORMULAS, MARKUP
from ui.charts import chart_text
from ui.errors import error_text
from ui.tables import markdown_table, markdown_text

TEXTS = MARKUP + FORMULAS + list(FIELDS.values())
#: What Plotly would draw as a link.
CHART_LINK = '<a href="https://evil.example/chart">link</a> <b>bold</b>'

st.markdown("INJECTION-PAGE")
with st.container(key="escaped"):
    for text in TEXTS:
        st.markdown(markdown_text(text))
        st.caption(f"Editing: {markdown_text(text)}")
        st.error(error_text(ScenarioError(f"bad value {text!r}\n  field: {text}"), f"run {text}"))
    st.markdown(markdown_table(pd.DataFrame({MARKUP[4]: MARKUP[:3]}, index=MARKUP[4:7])))
    st.metric(markdown_text(MARKUP[5]), f"1 {markdown_text(MARKUP[4])}")
    with st.status(f"Done: {markdown_text(MARKUP[5])}", state="complete"):
        st.write("done")
    labels = [chart_text(t) for t in [CHART_LINK, *MARKUP]]
    bar = go.Bar(x=labels, y=[1] * len(labels), showlegend=True, name=chart_text(CHART_LINK))
    st.plotly_chart(go.Figure(bar), key="escaped_chart")
with st.container(key="raw"):
    st.markdown(" ".join(MARKUP[4:8]))
    bar = go.Bar(x=[CHART_LINK], y=[1], showlegend=True, name=CHART_LINK)
    st.plotly_chart(go.Figure(bar), key="raw_chart")
st.markdown("INJECTION-PAGE-END")
