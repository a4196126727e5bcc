"""kubectl's plugin completion: reading the partial command line, and cobra's output format."""

from __future__ import annotations

import subprocess
import sys

import click

from kubectl_imagerepo.commands.kubectl_complete import (
    CommandSpec,
    OptionSpec,
    Request,
    Target,
    answer,
    cobra_lines,
    option_candidates,
    parse,
    spec_from_click,
)

ROOT = CommandSpec(
    (
        OptionSpec(("--kubeconfig",), True, "Path to the kubeconfig file."),
        OptionSpec(("--context",), True, "The context."),
        OptionSpec(("-n", "--namespace"), True, "The namespace."),
        OptionSpec(("--insecure-skip-tls-verify",), False, "No TLS checks."),
    )
)
GET = CommandSpec(
    (
        *ROOT.options,
        OptionSpec(("-o", "--output"), True, "Output format."),
        OptionSpec(("-A", "--all-namespaces"), False, "All namespaces."),
    )
)


def spec_of(name: str | None) -> CommandSpec:
    return {None: ROOT, "get": GET}.get(name, CommandSpec())


def test_an_empty_line_completes_a_subcommand() -> None:
    assert parse([""], spec_of) == Request(Target.SUBCOMMAND, "")


def test_no_words_at_all_completes_a_subcommand() -> None:
    assert parse([], spec_of).target is Target.SUBCOMMAND


def test_a_partial_first_word_completes_a_subcommand() -> None:
    request = parse(["ge"], spec_of)
    assert (request.target, request.partial) == (Target.SUBCOMMAND, "ge")


def test_root_options_before_the_subcommand_are_skipped_with_their_values() -> None:
    request = parse(["-n", "team", "--insecure-skip-tls-verify", "g"], spec_of)
    assert (request.target, request.partial, request.namespace) == (Target.SUBCOMMAND, "g", "team")


def test_a_word_after_the_subcommand_completes_an_argument() -> None:
    request = parse(["get", "ap"], spec_of)
    assert (request.target, request.command, request.partial) == (Target.ARGUMENT, "get", "ap")


def test_arguments_already_given_are_kept() -> None:
    assert parse(["get", "one", "two", ""], spec_of).arguments == ("one", "two")


def test_a_dash_completes_an_option_of_the_subcommand() -> None:
    request = parse(["get", "-"], spec_of)
    assert (request.target, request.command) == (Target.OPTION, "get")


def test_the_word_after_an_option_that_takes_a_value_completes_that_value() -> None:
    request = parse(["get", "-o", ""], spec_of)
    assert (request.target, request.option) == (Target.OPTION_VALUE, "--output")


def test_an_inline_long_option_value_completes_the_value_alone() -> None:
    request = parse(["get", "--namespace=te"], spec_of)
    assert (request.target, request.option, request.partial) == (Target.OPTION_VALUE, "--namespace", "te")


def test_a_flag_without_value_does_not_swallow_the_next_word() -> None:
    request = parse(["get", "-A", ""], spec_of)
    assert (request.target, request.arguments) == (Target.ARGUMENT, ())


def test_namespace_kubeconfig_and_context_on_the_line_are_remembered() -> None:
    request = parse(["--kubeconfig", "/k", "get", "--context=c", "-nteam", ""], spec_of)
    assert request.values == {"--kubeconfig": "/k", "--context": "c", "--namespace": "team"}


def test_the_last_namespace_given_wins() -> None:
    assert parse(["-n", "a", "get", "-n", "b", ""], spec_of).namespace == "b"


def test_option_values_are_not_taken_for_arguments() -> None:
    assert parse(["get", "-o", "json", "app", ""], spec_of).arguments == ("app",)


def test_after_double_dash_a_dash_word_is_an_argument() -> None:
    request = parse(["get", "--", "-"], spec_of)
    assert (request.target, request.partial) == (Target.ARGUMENT, "-")


def test_unknown_subcommand_options_are_taken_as_flags() -> None:
    request = parse(["nosuch", "--what", ""], spec_of)
    assert (request.target, request.command) == (Target.ARGUMENT, "nosuch")


def test_option_candidates_match_the_prefix_with_their_help() -> None:
    assert option_candidates(GET, "--o") == [("--output", "Output format.")]


def test_cobra_lines_put_description_after_a_tab_and_the_directive_last() -> None:
    assert cobra_lines([("get", "Display."), ("app", "")]) == ["get\tDisplay.", "app", ":4"]


def test_cobra_lines_flatten_whitespace_in_descriptions() -> None:
    assert cobra_lines([("x", "one\ttwo\nthree")], 0) == ["x\tone two three", ":0"]


def test_spec_from_click_reads_options_flags_and_help() -> None:
    @click.command()
    @click.option("-o", "--output", help="Format.")
    @click.option("--watch/--no-watch", help="Watch.")
    @click.option("--secret", hidden=True)
    def cmd(output: str, watch: bool, secret: str) -> None: ...

    spec = spec_from_click(cmd)
    assert spec.find("-o") == OptionSpec(("-o", "--output"), True, "Format.")
    assert spec.find("--no-watch") == OptionSpec(("--watch", "--no-watch"), False, "Watch.")
    assert spec.find("--secret") is None
    assert spec.find("-h") is not None


def test_output_values_are_offered_after_dash_o() -> None:
    assert answer(parse(["get", "-o", ""], spec_of), spec_of) == ["json", "yaml", "name", "wide", ":4"]


def test_output_values_are_filtered_by_the_partial_word() -> None:
    assert answer(parse(["get", "--output=y"], spec_of), spec_of) == ["yaml", ":4"]


def test_a_kubeconfig_value_falls_back_to_file_completion() -> None:
    assert answer(parse(["get", "--kubeconfig", ""], spec_of), spec_of) == [":0"]


def test_completion_targets_are_offered_after_completion() -> None:
    lines = answer(parse(["completion", ""], spec_of), spec_of)
    assert [line.split("\t")[0] for line in lines] == ["bash", "zsh", "fish", "kubectl-shim", ":4"]


def test_subcommand_names_come_with_their_short_help() -> None:
    lines = answer(parse(["ge"], spec_of), spec_of)
    assert lines == ["get\tDisplay one or many ImageRepositories.", ":4"]


def test_completing_a_subcommand_imports_neither_subcommands_nor_the_kubernetes_client() -> None:
    code = (
        "import sys\n"
        "from kubectl_imagerepo.cli import main\n"
        "try:\n"
        "    main(['completion', '__complete', ''])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('kubernetes', 'kubectl_imagerepo.commands.')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The root's parts, the `completion` command and the completer: no other command, no client.
    assert done.stderr == (
        "['kubectl_imagerepo.commands.cmdutil', 'kubectl_imagerepo.commands.cmdutil.lazy_group', "
        "'kubectl_imagerepo.commands.completion', 'kubectl_imagerepo.commands.kubectl_complete', "
        "'kubectl_imagerepo.commands.table']\n"
    )


def test_the_root_is_found_through_clicks_context() -> None:
    from kubectl_imagerepo.commands.kubectl_complete import click_specs
    from kubectl_imagerepo.rootgroup import root

    spec = click_specs(click.Context(root))(None)
    assert spec.find("--kubeconfig") is not None
    assert spec.find("--log-level") is not None
