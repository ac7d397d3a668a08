"""API tokens: create, list, revoke; authenticate a request's bearer token; record uses; slow down guessers.

A token reads `ent_<id>_<secret>`: the id finds the row, the secret is checked against its stored sha256 in
constant time. Only the hash is stored; the token text is shown once, at creation.
"""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import threading
import time

import queries
from entities import audit, db, identity
from entities.identity import Principal
from entities.web import session

SCOPES = tuple(identity.TOKEN_SCOPES)
PREFIX = "ent_"
_TOKEN = re.compile(r"^ent_(\d{1,18})_([A-Za-z0-9_-]{20,200})$")
BAD_TOKENS_PER_MINUTE = 10


class TokenError(ValueError):
    """A token command that cannot be done as asked; the message says why."""


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(con, principal: Principal, name: str, scopes: list[str], expires_days: float | None = None,
           replace: bool = False) -> dict:
    """A new token; returns {"id", "name", "scopes", "expires_at", "token"}: the only time the text exists."""
    identity.require(principal, "tokens")
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("a token name is 1 to 100 characters")
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise TokenError(f"unknown scope {', '.join(unknown)} (allowed: {', '.join(SCOPES)})" if unknown
                         else f"give at least one --scope ({', '.join(SCOPES)})")
    if expires_days is not None and not (0 < expires_days <= 3650):
        raise TokenError("--expires-days must be more than 0 and at most 3650")
    expires_at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days)) if expires_days else None
    secret = secrets.token_urlsafe(32)
    scopes = sorted(set(scopes))
    with db.write(con):
        existing = queries.scalar(con, "api_token_active_id", token_name=name)
        if existing is not None:
            if not replace:
                raise TokenError(f"a token named {name!r} already exists; revoke it first or choose another name")
            queries.run(con, "api_token_revoke", token_name=name)
            audit.record(con, principal, "token.revoke", f"token {name}", "replaced by a new token")
        token_id = queries.scalar(con, "api_token_insert", token_name=name, secret_sha256=_sha256(secret),
                                  scopes=scopes, created_by=principal.name, expires_at=expires_at)
        expiry = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
        audit.record(con, principal, "token.create", f"token {name}", f"scopes {','.join(scopes)}{expiry}")
    _forget()
    return {"id": token_id, "name": name, "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None, "token": f"{PREFIX}{token_id}_{secret}"}


def revoke(con, principal: Principal, name: str) -> None:
    identity.require(principal, "tokens")
    with db.write(con):
        if queries.scalar(con, "api_token_revoke", token_name=name) is None:
            raise TokenError(f"no active token named {name!r} (see `entities token list`)")
        audit.record(con, principal, "token.revoke", f"token {name}")
    _forget()


def listing(con) -> list[dict]:
    USAGE.flush(con)
    rows = queries.records(con, "api_tokens_list")
    for row in rows:
        for key in ("created_at", "expires_at", "revoked_at", "last_used_at"):
            row[key] = row[key].isoformat() if row[key] else None
        row["scopes"] = list(row["scopes"])
    return rows


def verify(con, token: str) -> Principal | None:
    """The principal of a valid, active token; None for an unknown, malformed, revoked or expired one. con: a
    cursor, or a function returning one (called only when the token's row is not cached yet)."""
    match = _TOKEN.match(token)
    if not match:
        return None
    row = _row(con, int(match.group(1)))
    # compare the hashes even when there is no such row, so a miss costs the same as a wrong secret
    stored = row[2] if row else "0" * 64
    if not hmac.compare_digest(_sha256(match.group(2)), stored) or row is None or row[4]:
        return None
    if row[5] is not None and row[5] <= dt.datetime.now(dt.UTC):
        return None
    USAGE.note(row[0])
    return Principal(f"token:{row[1]}", kind="token", subject=str(row[0]), scopes=frozenset(row[3]))


# Token rows by id, read once: the app is the only writer while it runs and clears this on create and revoke.
_ROWS: dict[int, tuple] = {}
_ROWS_LOCK = threading.Lock()
_generation = [0]  # a row read before a create/revoke finished is not kept


def _row(con, token_id: int) -> tuple | None:
    with _ROWS_LOCK:
        if token_id in _ROWS:
            return _ROWS[token_id]
        generation = _generation[0]
    row = queries.one(con() if callable(con) else con, "api_token_by_id", id=token_id)
    with _ROWS_LOCK:
        if row is not None and generation == _generation[0]:
            _ROWS[token_id] = row
    return row


def _forget() -> None:
    with _ROWS_LOCK:
        _ROWS.clear()
        _generation[0] += 1


class Usage:
    """Uses per token kept in memory and written in one small transaction at most every few seconds, so a
    stream of ingest posts does not add a write each."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict[int, list] = {}

    def note(self, token_id: int) -> None:
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            entry = self._pending.setdefault(token_id, [0, now])
            entry[0] += 1
            entry[1] = now

    def flush(self, con) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            with db.write(con):
                for token_id, (uses, last) in pending.items():
                    queries.run(con, "api_token_touch", id=token_id, uses=uses, last_used_at=last)
        return len(pending)


USAGE = Usage()


class BadTokenLimiter:
    """Counts bad tokens per source address over the last minute; at BAD_TOKENS_PER_MINUTE the address waits."""

    def __init__(self, limit: int = BAD_TOKENS_PER_MINUTE, window: float = 60.0):
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._failures: dict[str, collections.deque] = {}

    def _recent(self, address: str, now: float) -> collections.deque:
        failures = self._failures.setdefault(address, collections.deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, address: str) -> int | None:
        """Seconds this address must wait, or None when it may try."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(address, now)
            if len(failures) < self.limit:
                if not failures:
                    self._failures.pop(address, None)
                return None
            return max(1, math.ceil(failures[-self.limit] + self.window - now))

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address, time.monotonic()).append(time.monotonic())


LIMITER = BadTokenLimiter()
# The running app's control secret (see control.py): the CLI on this machine presents it to act as identity.CLI.
CONTROL = {"secret": None}


def _cursor():
    local = _THREAD
    con = db.shared()
    if getattr(local, "owner", None) is not con:
        local.cursor, local.owner = con.cursor(), con
    return local.cursor


_THREAD = threading.local()


def authenticate(request, action: str) -> Principal:
    """The principal behind the request's bearer token, allowed to do `action`; else an HTTPException:
    401 (no, unknown, expired or revoked token), 403 (not allowed), 429 (too many bad tokens from this address)."""
    from starlette.exceptions import HTTPException

    address = request.client.host if request.client else "unknown"
    wait = LIMITER.retry_after(address)
    if wait is not None:
        raise HTTPException(429, f"too many bad tokens from {address}; try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        user = session.user_principal(request, _cursor())  # a signed-in browser acts as that person
        if user is None:
            raise HTTPException(401, "this endpoint needs an API token: send 'Authorization: Bearer <token>' "
                                     "(create one with `entities token create`) or sign in",
                                headers={"WWW-Authenticate": "Bearer"})
        principal = user
    elif (control := CONTROL["secret"]) and hmac.compare_digest(token.encode(), control.encode()):
        principal = identity.CLI
    else:
        principal = verify(_cursor, token)  # a cached token needs no cursor (db.shared() resolves the path)
    if principal is None:
        LIMITER.failed(address)
        raise HTTPException(401, "the API token is unknown, expired or revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if not principal.can(action):
        try:
            identity.require(principal, action)
        except identity.Forbidden as exc:
            raise HTTPException(403, str(exc)) from exc
    return principal
