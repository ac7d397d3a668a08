"""Who gets which role: rules mapping an email, an email domain or a groups claim to viewer, operator or admin.

A rule is a pattern and a role. Patterns: `alice@example.com` (that address), `@example.com` (anyone at that domain),
`group:ops-leads` (anyone whose groups claim holds ops-leads) and `*` (anyone signed in). Rules come from
configuration (ENTITIES_ROLE_ADMIN / _OPERATOR / _VIEWER, comma-separated, or `[roles]` in secrets.toml) and from
the /admin page (the role_rules table). The most specific kind that matches decides: email, then group, then
domain, then `*`; within a kind the highest role wins. No match: no role, and the person sees nothing.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import queries
from entities import audit, db
from entities.identity import ROLES, Principal, require

KINDS = ("email", "group", "domain", "anyone")  # most specific first
ENV_PREFIX = "ENTITIES_ROLE_"
GROUPS_CLAIM_VARIABLE = "ENTITIES_GROUPS_CLAIM"
MAX_PATTERN = 320


@dataclass(frozen=True)
class Rule:
    pattern: str
    role: str
    source: str = "configuration"  # or "admin page"

    @property
    def kind(self) -> str:
        return pattern_kind(self.pattern)


def normalize(pattern: str) -> str:
    pattern = pattern.strip().lower()
    return "@" + pattern[2:] if pattern.startswith("*@") else pattern


def pattern_kind(pattern: str) -> str:
    """email, group, domain or anyone; raises ValueError with a message a person can act on."""
    pattern = normalize(pattern)
    if pattern == "*":
        return "anyone"
    if pattern.startswith("group:") and len(pattern) > len("group:"):
        return "group"
    if pattern.startswith("@") and "." in pattern[1:] and "@" not in pattern[1:]:
        return "domain"
    local, _, domain = pattern.partition("@")
    if local and "." in domain and "@" not in domain and " " not in pattern:
        return "email"
    raise ValueError(f"{pattern!r} is not a rule pattern: use an email (alice@example.com), a domain "
                     "(@example.com), a group (group:ops-leads) or * for anyone signed in.")


def check(pattern: str, role: str) -> Rule:
    if role not in ROLES:
        raise ValueError(f"{role!r} is not a role: choose one of {', '.join(ROLES)}.")
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"A pattern has at most {MAX_PATTERN} characters.")
    pattern_kind(pattern)
    return Rule(normalize(pattern), role)


def matches(rule: Rule, email: str, groups: Iterable[str]) -> bool:
    email = (email or "").strip().lower()
    kind = rule.kind
    if kind == "anyone":
        return True
    if kind == "email":
        return email == rule.pattern
    if kind == "domain":
        return email.endswith(rule.pattern) and email.count("@") == 1
    return rule.pattern[len("group:"):] in {str(g).strip().lower() for g in groups}


def resolve(email: str, groups: Iterable[str], rules: Iterable[Rule]) -> str:
    """The role these rules give this person, or "" for none (see the module docstring for the order)."""
    groups = list(groups)
    matched = [rule for rule in rules if matches(rule, email, groups)]
    for kind in KINDS:
        granted = [ROLES.index(rule.role) for rule in matched if rule.kind == kind]
        if granted:
            return ROLES[max(granted)]
    return ""


def configured_rules(env: Mapping[str, str] | None = None, secrets_roles: Mapping | None = None) -> list[Rule]:
    """Rules from ENTITIES_ROLE_<ROLE> (comma-separated patterns) and secrets.toml [roles] (role = [patterns]).
    A bad pattern raises ValueError naming where it came from."""
    env = os.environ if env is None else env
    found: list[Rule] = []
    for role in ROLES:
        sources = [(f"{ENV_PREFIX}{role.upper()}", (env.get(f"{ENV_PREFIX}{role.upper()}") or "").split(","))]
        if secrets_roles and role in secrets_roles:
            value = secrets_roles[role]
            sources.append((f"secrets.toml [roles] {role}", [value] if isinstance(value, str) else list(value)))
        for where, patterns in sources:
            for pattern in (str(p).strip() for p in patterns):
                if not pattern:
                    continue
                try:
                    found.append(check(pattern, role))
                except ValueError as exc:
                    raise ValueError(f"{where}: {exc}") from None
    return found


def groups_claim(env: Mapping[str, str] | None = None) -> str:
    return ((os.environ if env is None else env).get(GROUPS_CLAIM_VARIABLE) or "groups").strip()


def claim_groups(claims: Mapping, claim: str) -> list[str]:
    """The groups claim as a list: providers send a list, some a comma- or space-separated string."""
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    try:
        return [str(part) for part in value]
    except TypeError:
        return [str(value)]


def principal_for(claims: Mapping, rules: Iterable[Rule], env: Mapping[str, str] | None = None) -> Principal:
    """The signed-in person an ID token's claims describe, with the role the rules give them ("" = none).
    An email the provider marks unverified (email_verified false) counts for no email or domain rule."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or "")
    verified = email if claims.get("email_verified") is not False else ""
    groups = claim_groups(claims, groups_claim(env))
    return Principal(email or subject, kind="user", role=resolve(verified, groups, rules), subject=subject)


def stored_rules(con) -> list[Rule]:
    return [Rule(r["pattern"], r["role"], "admin page") for r in queries.records(con, "role_rules_list")]


def set_rule(con, principal: Principal, pattern: str, role: str) -> Rule:
    """Add or change an admin-page rule; audited. Raises Forbidden unless the principal may manage roles."""
    require(principal, "roles")
    rule = check(pattern, role)
    with db.write(con):
        before = queries.one(con, "role_rule_of", pattern=rule.pattern)
        queries.run(con, "role_rule_upsert", pattern=rule.pattern, role=rule.role, updated_by=principal.name)
        detail = f"role {rule.role}" + (f" (was {before[0]})" if before else " (new rule)")
        audit.record(con, principal, "role_rule.set", rule.pattern, detail)
    return rule


def remove_rule(con, principal: Principal, pattern: str) -> bool:
    """Remove an admin-page rule; audited. False when there was no such rule."""
    require(principal, "roles")
    pattern = normalize(pattern)
    with db.write(con):
        removed = queries.one(con, "role_rule_delete", pattern=pattern)
        if removed:
            audit.record(con, principal, "role_rule.remove", pattern, f"granted {removed[0]}")
    return removed is not None
