"""Each route's declared policy (``casework.routes.policy``: the record types it discloses,
named in its ``denied`` audit entries) agrees with what the actions it calls declare they read
or change (``@action(reads=..., changes=...)``), which the guard enforces at run time.

The actions a view calls are found in its source (and in the helpers it calls, two levels
deep); where a route calls several actions, their union counts. Routes whose actions do not
declare yet are listed in ``PENDING``: a new route must declare, and a route that now does must
leave the list.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from casework.app import create_app
from casework.authz import declared_types
from casework.routes import policy_of

PENDING = frozenset(
    {
        "api.create_nominal",
        "api.replace_attendance",
        "web.import_page",
        "web.offender_import",
        "web.offender_new",
        "web.referral_draft",
        "web.referral_draft_delete",
        "web.referral_item",
        "web.referral_item_remove",
        "web.referral_new",
        "web.referral_section",
        "web.targeting_meeting_add",
    }
)


def _resolve(node: ast.AST, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = scope.get(node.value.id)
        if isinstance(module, types.ModuleType):
            return getattr(module, node.attr, None)
    return None


def actions_called(
    fn: Callable[..., Any], depth: int = 0, seen: set[int] | None = None
) -> set[Any]:
    """The ``@action`` functions ``fn`` names, directly or through casework helpers."""
    seen = set() if seen is None else seen
    plain = inspect.unwrap(fn)
    if id(plain) in seen:
        return set()
    seen.add(id(plain))
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(plain)))
    except (OSError, TypeError):
        return set()
    scope = getattr(plain, "__globals__", {})
    found: set[Any] = set()
    for node in ast.walk(tree):
        target = _resolve(node, scope)
        if not callable(target) or not str(getattr(target, "__module__", "")).startswith(
            "casework"
        ):
            continue
        if getattr(target, "__casework_action__", False):
            found.add(target)
        elif depth < 2 and isinstance(target, types.FunctionType):
            found |= actions_called(target, depth + 1, seen)
    return found


def _routes() -> list[str]:
    """The endpoints that declare a policy, read off an app of their own: parametrising needs
    the URL map at collection time, before any fixture exists."""
    app = create_app({"ENV": "testing", "DATABASE_URL": "sqlite://"})
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if policy_of(app.view_functions[rule.endpoint]) is not None
    )


@pytest.mark.parametrize("endpoint", _routes())
def test_route_policy_agrees_with_its_actions(app: Flask, endpoint: str) -> None:
    view = app.view_functions[endpoint]
    policy = set(policy_of(view) or ())
    called = actions_called(view)
    said = {a: declared_types(a) for a in called}
    declared = {a: set(d or ()) for a, d in said.items()}
    union = set().union(*declared.values()) if declared else set()
    assert union <= policy, f"{endpoint}: actions declare {union - policy} beyond its policy"
    # ``@action(reads=())`` declares that an action touches no case data (a panel list)
    complete = all(d is not None for d in said.values()) or not policy
    if endpoint in PENDING:
        agrees = complete and union == policy
        assert not agrees, f"{endpoint} now declares: remove it from PENDING"
        return
    assert complete, f"{endpoint}: these actions declare no record types: " + ", ".join(
        sorted(a.__name__ for a, d in said.items() if d is None)
    )
    assert union == policy, f"{endpoint}: policy {sorted(policy)}, actions {sorted(union)}"
