"""TEMPORARY SHIM until api-ingest lands the real tokens module: `Bearer shim:<name>:<scope>[,<scope>]`."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from entities.identity import Principal


def authenticate(request: Request, action: str) -> Principal:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise HTTPException(401, "missing token", headers={"WWW-Authenticate": "Bearer"})
    parts = header[7:].strip().split(":")
    if len(parts) != 3 or parts[0] != "shim":
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    principal = Principal(f"token:{parts[1]}", kind="token", subject=parts[1], scopes=frozenset(parts[2].split(",")))
    if not principal.can(action):
        raise HTTPException(403, f"token {parts[1]} may not {action}")
    return principal


def create(con, principal: Principal, name: str, scopes: list[str], **_) -> dict:
    return {"name": name, "scopes": scopes, "token": f"shim:{name}:{','.join(scopes)}"}
