"""The served app: Streamlit's UI (app.py) and the HTTP API in one ASGI process, which owns the database.

`entities serve` runs this file with `streamlit run`; Streamlit finds `app` by its name.
"""
from pathlib import Path

import streamlit as st

from entities.web import api, lifespan

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"

app = st.App(str(APP_SCRIPT), routes=api.routes(), lifespan=lifespan.lifespan,
             exception_handlers=api.EXCEPTION_HANDLERS)
