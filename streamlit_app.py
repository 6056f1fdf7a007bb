"""coolshift web app: `make app` (serves it through ui/server.py) or `streamlit run
streamlit_app.py`. Navigation only; each page lives in ui/."""

import streamlit as st

st.set_page_config(page_title="coolshift", page_icon=":material/ac_unit:", layout="wide")
st.navigation(
    [
        st.Page(
            "ui/site.py", title="Site", icon=":material/location_on:", url_path="site", default=True
        ),
        st.Page(
            "ui/halls.py", title="Halls and cooling", icon=":material/ac_unit:", url_path="halls"
        ),
        st.Page(
            "ui/workload.py",
            title="Workload and schedule",
            icon=":material/event_note:",
            url_path="workload",
        ),
        st.Page(
            "ui/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"
        ),
        st.Page("ui/fleet.py", title="Fleet", icon=":material/hub:", url_path="fleet"),
        st.Page("ui/report.py", title="Report", icon=":material/description:", url_path="report"),
    ]
).run()
