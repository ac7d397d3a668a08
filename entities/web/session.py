"""The API's view of a browser session: the person signed in through st.login, as a user Principal.

The API authenticates API tokens first (tokens.authenticate); a request without a bearer token but with the
Streamlit sign-in cookie acts as that person with their role, so a viewer's browser gets 403 from the retry
endpoints just as the page refuses. The cookie is SameSite=lax and signed with the configured cookie secret, so
another site cannot send it with a POST nor forge it. Tokens and people stay separate principals (kind token/user).
"""
from __future__ import annotations

import json

from entities.identity import Principal
from entities.web import roles


def _auth_secrets():
    from streamlit.runtime.secrets import secrets_singleton

    if not secrets_singleton.load_if_toml_exists():
        return None, None
    return secrets_singleton.get("auth"), secrets_singleton.get("roles")


def _signed_in_claims(request) -> dict | None:
    # Streamlit's own reader of its sign-in cookie (signature, expiry and chunking), not a copy of it
    from streamlit.web.server.starlette.starlette_auth_routes import _get_cookie_value_from_request
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    raw = _get_cookie_value_from_request(request, USER_COOKIE_NAME)
    if not raw:
        return None
    try:
        claims = json.loads(raw)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) and claims.get("is_logged_in") else None


def user_principal(request, con) -> Principal | None:
    """The signed-in person behind this request's cookie with their role, or None (no sign-in configured, no or
    an invalid cookie). Raises ValueError when the role configuration is invalid."""
    auth, secrets_roles = _auth_secrets()
    if not auth:
        return None
    claims = _signed_in_claims(request)
    if claims is None:
        return None
    return roles.principal_for(claims, [*roles.configured_rules(None, secrets_roles), *roles.stored_rules(con)])
