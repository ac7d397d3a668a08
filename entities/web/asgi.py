"""The served app: Streamlit's UI (app.py) and the HTTP API in one ASGI process, which owns the database.

`entities serve` runs this file with `streamlit run`; Streamlit finds `app` by its name. Sign-in set through
ENTITIES_OIDC_* becomes the [auth] secrets section here (it overrides a secrets.toml [auth]).
"""
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from entities.web import api, lifespan, metrics, signin

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"
_auth = signin.auth_from_env()
_address = str(st.get_option("server.address") or "")
if not (_auth or signin.auth_from_files(signin.secrets_files(Path(__file__))) or signin.anonymous()
        or signin.is_loopback(_address)):
    # `streamlit run` of this file without `entities serve` would otherwise serve local admins to the network
    raise SystemExit(f"refusing to serve on {_address or 'every address'} without sign-in; "
                     "use `entities serve` (see README, Sign-in)")

app = st.App(str(APP_SCRIPT), routes=api.routes(), lifespan=lifespan.lifespan,
             exception_handlers=api.EXCEPTION_HANDLERS, secrets={"auth": _auth} if _auth else None,
             middleware=[Middleware(metrics.RequestTimer)])
