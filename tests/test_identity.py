"""Roles and token scopes: who may do what."""
import pytest

from entities.identity import Forbidden, Principal, require


@pytest.mark.parametrize(("principal", "action", "allowed"), [
    (Principal("v@x", role="viewer"), "read", True),
    (Principal("v@x", role="viewer"), "export", True),
    (Principal("v@x", role="viewer"), "retry", False),
    (Principal("o@x", role="operator"), "retry", True),
    (Principal("o@x", role="operator"), "tokens", False),
    (Principal("a@x", role="admin"), "roles", True),
    (Principal("token:feed", kind="token", scopes=frozenset({"ingest"})), "ingest", True),
    (Principal("token:feed", kind="token", scopes=frozenset({"ingest"})), "retry", False),
    (Principal("token:ops", kind="token", scopes=frozenset({"retry"})), "retry", True),
    (Principal("nobody", role="stranger"), "read", False),
])
def test_each_role_and_scope_may_do_exactly_its_actions(principal, action, allowed):
    """An admin reads the permission table: each role and token scope allows exactly its actions."""
    assert principal.can(action) is allowed
    if not allowed:
        with pytest.raises(Forbidden, match=action):
            require(principal, action)
