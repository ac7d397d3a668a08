"""The audit log: every lifecycle, rule, token and role change, with who made it. Call inside the db.write()
transaction that makes the change, so the change and its audit row land together."""
from __future__ import annotations

import queries
from entities.identity import Principal


def record(con, principal: Principal, action: str, target: str, detail: str | None = None) -> int:
    return queries.scalar(con, "audit_insert", actor=principal.name, actor_subject=principal.subject,
                          actor_kind=principal.kind, action=action, target=target, detail=detail)
