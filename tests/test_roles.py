"""Roles: who may retry, how rules map people to roles, and that every rule change is audited."""
import pytest

import queries
from entities.identity import Forbidden, Principal
from entities.sync import bulk, retry
from entities.web import roles

VIEWER = Principal("vera@example.com", kind="user", role="viewer", subject="sub-vera")
OPERATOR = Principal("otto@example.com", kind="user", role="operator", subject="sub-otto")
ADMIN = Principal("ada@example.com", kind="user", role="admin", subject="sub-ada")
RULES = [roles.Rule("ada@example.com", "admin"), roles.Rule("@example.com", "operator"),
         roles.Rule("group:ops-leads", "admin"), roles.Rule("group:auditors", "viewer"),
         roles.Rule("contractor@example.com", "viewer"), roles.Rule("@partner.se", "viewer")]


def test_viewer_retry_is_refused_by_the_server(con):
    """A viewer's session calls the retry code path directly: refused, and nothing is queued."""
    with pytest.raises(Forbidden, match="needs the operator role"):
        retry.request(con, [4], VIEWER)
    assert queries.one(con, "retry_request_counts", entity_id=4) == (0, 0, 0)


def test_viewer_bulk_retry_is_refused_by_the_server(con):
    """A viewer's crafted bulk retry of a whole filter is refused before anything is read or queued."""
    before = [queries.one(con, "retry_request_counts", entity_id=i) for i in (2, 4, 6)]
    with pytest.raises(Forbidden):
        bulk.submit(con, bulk.selection([2, 4, 6]), VIEWER)
    assert [queries.one(con, "retry_request_counts", entity_id=i) for i in (2, 4, 6)] == before


def test_operator_retry_records_name_and_subject(con):
    """An operator retries: the request records their email and OIDC subject."""
    assert retry.request(con, [4], OPERATOR).queued == [4]
    assert retry.open_request(con, 4)["requested_by"] == "otto@example.com"
    assert con.execute("select actor_subject, actor_kind from retry_request_actors").fetchall() == [("sub-otto",
                                                                                                    "user")]


@pytest.mark.parametrize(("email", "groups", "role"), [
    ("ada@example.com", [], "admin"),  # by email
    ("bo@example.com", [], "operator"),  # by domain
    ("BO@Example.COM", [], "operator"),  # case does not matter
    ("contractor@example.com", ["ops-leads"], "viewer"),  # an email rule beats group and domain
    ("kim@partner.se", ["ops-leads"], "admin"),  # a group rule beats a domain rule
    ("kim@partner.se", [], "viewer"),
    ("kim@elsewhere.com", ["auditors"], "viewer"),  # by group
    ("kim@elsewhere.com", ["auditors", "ops-leads"], "admin"),  # the highest of one kind
    ("kim@elsewhere.com", [], ""),  # no rule: no role
    ("eve@evil-example.com", [], ""),  # a domain is matched whole
    ("eve@sub.example.com", [], ""),
    ("", ["ops-leads"], "admin"),  # no (verified) email: groups still count
])
def test_role_mapping(email, groups, role):
    """A person signs in: their role comes from the most specific matching rule."""
    assert roles.resolve(email, groups, RULES) == role


def test_anyone_rule_is_the_fallback():
    """An admin grants every signed-in person viewer with *; more specific rules still win."""
    rules = [roles.Rule("*", "viewer"), roles.Rule("@example.com", "operator")]
    assert [roles.resolve(e, [], rules) for e in ("x@other.org", "y@example.com")] == ["viewer", "operator"]


@pytest.mark.parametrize(("env", "expected"), [
    ({"ENTITIES_ROLE_ADMIN": "ada@example.com, group:Ops-Leads", "ENTITIES_ROLE_VIEWER": "*@partner.se"},
     [("@partner.se", "viewer"), ("ada@example.com", "admin"), ("group:ops-leads", "admin")]),
    ({}, []),
])
def test_configured_rules_from_environment(env, expected):
    """An operator of the service sets ENTITIES_ROLE_*: each comma-separated pattern becomes a rule."""
    assert [(r.pattern, r.role) for r in roles.configured_rules(env)] == expected


@pytest.mark.parametrize("pattern", ["not an email", "group:", "@", "a@b", "a b@example.com"])
def test_bad_patterns_are_refused_with_a_reason(pattern):
    """An admin types a pattern that is none of email, @domain, group:NAME or *: a message says what works."""
    with pytest.raises(ValueError, match="is not a rule pattern"):
        roles.check(pattern, "viewer")


def test_rule_changes_are_audited(con):
    """An admin adds, changes and removes a rule: each change is in the audit log with their identity."""
    roles.set_rule(con, ADMIN, "@Example.com", "viewer")
    roles.set_rule(con, ADMIN, "@example.com", "operator")
    assert roles.remove_rule(con, ADMIN, "@example.com")
    rows = con.execute("select actor, actor_subject, action, target, detail from audit_log order by id").fetchall()
    assert rows == [
        ("ada@example.com", "sub-ada", "role_rule.set", "@example.com", "role viewer (new rule)"),
        ("ada@example.com", "sub-ada", "role_rule.set", "@example.com", "role operator (was viewer)"),
        ("ada@example.com", "sub-ada", "role_rule.remove", "@example.com", "granted operator")]
    assert roles.stored_rules(con) == []


def test_operator_cannot_change_rules(con):
    """An operator tries to grant themselves admin: refused, nothing stored or audited."""
    with pytest.raises(Forbidden):
        roles.set_rule(con, OPERATOR, "otto@example.com", "admin")
    assert roles.stored_rules(con) == []
    assert con.execute("select count(*) from audit_log").fetchone()[0] == 0
