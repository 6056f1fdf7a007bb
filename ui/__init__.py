"""coolshift's Streamlit app (``make app``: ``streamlit run ui/server.py``, which serves
``streamlit_app.py`` with the heavy imports done at start-up; see :mod:`ui.server`).

One module per page, each run by ``st.navigation`` as a script:

* :mod:`ui.site` - built-in scenario or uploads; the climate, grid carbon and price
  switched on their own and the carbon price (:mod:`ui.site_controls`); location, climate,
  hourly carbon and price (:mod:`ui.site_charts`);
* :mod:`ui.halls` - editable pods and water temperatures (:mod:`ui.hall_controls`), their
  design-day peak and full-year comparison by technology;
* :mod:`ui.workload` - jobs, storage and on-site power (:mod:`ui.asset_controls`) and the
  scheduler's run; what it found in :mod:`ui.results` (assets: :mod:`ui.asset_results`);
* :mod:`ui.compare` - scenarios and variants side by side;
* :mod:`ui.fleet` - a fleet of sites scheduled as one: the sites, the run, a map of where
  the work went (:mod:`ui.fleet_map`, :mod:`ui.fleet_views`);
* :mod:`ui.report` - report downloads and the scenario as TOML.

Shared small modules: :mod:`ui.state` (the session's scenario, folder and runs),
:mod:`ui.caching` (``st.cache_data`` computations), :mod:`ui.charts`,
:mod:`ui.run_charts` and :mod:`ui.asset_charts` (figures), :mod:`ui.uploads` (upload checks), :mod:`ui.errors`
(errors as messages), :mod:`ui.tables` (number formats, and
:func:`~ui.tables.markdown_text`, through which every text from outside goes into
Markdown). The app talks to ``scenarios`` and ``reports`` only.
"""
