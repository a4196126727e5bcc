"""kubectl's plugin completion for the `policy` group: its subcommands, then ImagePolicy names."""

from __future__ import annotations

from typing import Any

import click
import pytest

from kubectl_imagerepo.commands import kubectl_complete as completion
from kubectl_imagerepo.commands.kubectl_complete import (
    CommandSpec,
    OptionSpec,
    Request,
    Target,
    answer,
    parse,
)

ROOT = CommandSpec((OptionSpec(("-n", "--namespace"), True, "The namespace."),))
POLICY_GET = CommandSpec((*ROOT.options, OptionSpec(("-o", "--output"), True, "Output format.")))


def spec_of(name: str | None) -> CommandSpec:
    return {None: ROOT, "policy get": POLICY_GET}.get(name, CommandSpec())


def test_the_word_after_policy_completes_a_subcommand_of_the_group() -> None:
    assert parse(["policy", "ge"], spec_of) == Request(Target.SUBCOMMAND, "ge", "policy")


def test_the_group_s_subcommands_come_with_their_short_help() -> None:
    lines = answer(parse(["policy", "re"], spec_of), spec_of)
    assert [line.split("\t")[0] for line in lines] == ["reconcile", "resume", ":4"]
    assert lines[0] == "reconcile\tResolve ImagePolicies now, write their status."


def test_a_word_after_a_group_subcommand_completes_an_argument_of_it() -> None:
    request = parse(["policy", "get", "w"], spec_of)
    assert (request.target, request.command, request.partial) == (Target.ARGUMENT, "policy get", "w")


def test_options_of_a_group_subcommand_are_read_with_their_values() -> None:
    request = parse(["-n", "team", "policy", "get", "-o", "json", ""], spec_of)
    assert (request.command, request.namespace, request.arguments) == ("policy get", "team", ())


@pytest.mark.parametrize("sub", ["get", "describe", "reconcile", "suspend", "resume"])
def test_policy_subcommands_complete_image_policy_names(sub: str, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def names(request: Request, plural: str = "imagerepositories") -> list[str]:
        asked.append(plural)
        return ["web", "worker", "api"]

    monkeypatch.setattr(completion, "object_names", names)
    assert answer(parse(["policy", sub, "web", "w"], spec_of), spec_of) == ["worker", ":4"]
    assert asked == ["imagepolicies"]


def test_repository_subcommands_still_complete_repository_names(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def names(request: Request, plural: str = "imagerepositories") -> list[str]:
        asked.append(plural)
        return ["app"]

    monkeypatch.setattr(completion, "object_names", names)
    assert answer(parse(["get", ""], spec_of), spec_of) == ["app", ":4"]
    assert asked == ["imagerepositories"]


def test_the_options_of_a_group_subcommand_come_from_its_click_command() -> None:
    from kubectl_imagerepo.rootgroup import root

    spec: Any = completion.click_specs(click.Context(root))("policy get")
    assert spec.find("--status-selector") is not None
