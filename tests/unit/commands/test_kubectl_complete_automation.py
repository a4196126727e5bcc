"""kubectl's plugin completion for the `automation` group: its subcommands, then automation names."""

from __future__ import annotations

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


def spec_of(name: str | None) -> CommandSpec:
    return ROOT if name is None else CommandSpec()


def test_the_word_after_automation_completes_a_subcommand_of_the_group() -> None:
    assert parse(["automation", "d"], spec_of) == Request(Target.SUBCOMMAND, "d", "automation")
    lines = answer(parse(["automation", "d"], spec_of), spec_of)
    assert [line.split("\t")[0] for line in lines] == ["describe", "diff", ":4"]


@pytest.mark.parametrize("sub", ["get", "describe", "diff", "apply"])
def test_automation_subcommands_complete_image_update_automation_names(
    sub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def names(request: Request, plural: str = "imagerepositories") -> list[str]:
        asked.append(plural)
        return ["apps", "infra"]

    monkeypatch.setattr(completion, "object_names", names)
    assert answer(parse(["automation", sub, "a"], spec_of), spec_of) == ["apps", ":4"]
    assert asked == ["imageupdateautomations"]
