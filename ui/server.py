"""The app's server: ``streamlit run ui/server.py`` (``make app``).

The same app as ``streamlit run streamlit_app.py``, served through ``st.App`` so that
the modules every page needs are imported while the server starts, before its health
check answers, instead of during the first visitor's first page.
"""

from __future__ import annotations

import importlib
from contextlib import asynccontextmanager

import streamlit as st

#: Imported at start-up: pandas and pyarrow (tables, charts), the scenario layer and the
#: Site page's modules (~0.7 s on a fresh process on the 2-core CI machine).
WARM_MODULES = ("pandas", "pyarrow", "scenarios.explore", "scenarios.inputs", "ui.caching",
                "ui.charts", "ui.state", "ui.uploads", "ui.errors")


@asynccontextmanager
async def warm_imports(_app):
    for name in WARM_MODULES:
        importlib.import_module(name)
    yield


app = st.App("../streamlit_app.py", lifespan=warm_imports)
