"""The opening every action command shares: the names not found, or a selection that matched nothing."""

from __future__ import annotations

from kubectl_imagerepo.commands.cmdutil.lookup import Missing, Selected
from kubectl_imagerepo.commands.cmdutil.selection import (
    RECONCILE_LINES,
    RESUME_LINES,
    SUSPEND_LINES,
    NotFoundLines,
    say_not_found,
)
from kubectl_imagerepo.model import api
from tests.unit.commands.fakes import not_found, repository


def said(selected: Selected, kind: str, lines: NotFoundLines) -> tuple[bool, list[str]]:
    lines_said: list[str] = []
    nothing = say_not_found(selected, kind, "team", lines, lines_said.append)
    return nothing, lines_said


def test_each_name_not_found_is_said_in_the_words_of_the_command() -> None:
    selected = Selected([repository("a")], [Missing("gone", not_found("gone"))])
    assert said(selected, api.KIND, RESUME_LINES) == (
        False,
        ["ImageRepository object 'gone' not found in team namespace"],
    )
    assert said(selected, api.POLICY_KIND, RECONCILE_LINES) == (
        False,
        ['imagepolicies.image.toolkit.fluxcd.io "gone" not found'],
    )


def test_a_selection_that_matched_nothing_is_said_and_leaves_nothing_to_act_on() -> None:
    assert said(Selected([]), api.POLICY_KIND, RESUME_LINES) == (
        True,
        ["no ImagePolicy objects found in team namespace"],
    )
    assert said(Selected([]), api.KIND, RECONCILE_LINES) == (
        True,
        ['no ImageRepository objects found in "team" namespace'],
    )
    assert said(Selected([]), api.KIND, SUSPEND_LINES) == (True, ["no objects found"])


def test_objects_found_are_said_nothing_about() -> None:
    assert said(Selected([repository("a")]), api.KIND, SUSPEND_LINES) == (False, [])
