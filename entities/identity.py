"""Who is acting: a signed-in person, an API token, the local user or a policy; and what each role may do.

Domain functions that write take a Principal and call require() first, so the server enforces roles whatever
the page or API shows. The audit records Principal.name (and subject).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("viewer", "operator", "admin")  # each includes the ones before it
ACTIONS = {  # action -> the least role allowed to do it
    "read": "viewer",
    "export": "viewer",
    "retry": "operator",
    "groups": "operator",
    "alerts": "operator",
    "tokens": "admin",
    "roles": "admin",
    "backup": "admin",
    "retention": "admin",
    "ingest": "admin",  # people load data with `entities import`; the API ingests with tokens of the ingest scope
}
TOKEN_SCOPES = {"ingest": {"ingest"}, "read": {"read", "export"}, "retry": {"retry", "read"}}


class Forbidden(Exception):
    """The principal may not do this; the message says who, what and which role it needs."""


@dataclass(frozen=True)
class Principal:
    name: str  # what the audit shows: an email, "token:feed", "policy:auto-retry", "ops@junipeer (local)"
    kind: str = "user"  # user | token | local | policy
    role: str = "viewer"  # for users, local and policy
    subject: str = ""  # the OIDC subject or the token id
    scopes: frozenset[str] = field(default_factory=frozenset)  # for tokens

    def can(self, action: str) -> bool:
        if self.kind == "token":
            return any(action in TOKEN_SCOPES.get(scope, ()) for scope in self.scopes)
        needed = ACTIONS.get(action)
        return needed is not None and self.role in ROLES and ROLES.index(self.role) >= ROLES.index(needed)


def require(principal: Principal, action: str) -> None:
    if not principal.can(action):
        needed = ACTIONS.get(action, "?")
        raise Forbidden(f"{principal.name} ({principal.kind} {principal.role if principal.kind != 'token' else ''}"
                        f"{','.join(sorted(principal.scopes))}) may not {action}: that needs the {needed} role"
                        + (" or the matching token scope" if principal.kind == "token" else "") + ".")


LOCAL_ADMIN = Principal("ops@junipeer (local)", kind="local", role="admin")
AUTO_RETRY = Principal("policy:auto-retry", kind="policy", role="operator")
CLI = Principal("cli (local)", kind="local", role="admin")
