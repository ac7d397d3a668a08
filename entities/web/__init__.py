"""The ASGI app (st.App), API routes, tokens, sign-in and roles."""
