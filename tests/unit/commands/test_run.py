"""`run`: Flux's flags and defaults, their validation, and a start and a clean stop."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from kubectl_imagerepo.commands.run import Flags, RunOptions
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.rootgroup import root
from tests.unit.commands.fakes import FakeKube, captured, factory


def complete(**flags: Any) -> RunOptions:
    return RunOptions.complete(factory(FakeKube()), Flags(**flags))


def test_help_lists_flux_s_flags_with_flux_s_defaults() -> None:
    text = " ".join(CliRunner().invoke(root, ["run", "--help"], terminal_width=200).output.split())
    for expected in (
        "--enable-leader-election [=true|false]",
        "--leader-election-lease-duration TEXT How long a standby waits before taking an unrenewed Lease. "
        "[default: 35s]",
        "[default: 30s]",
        "--leader-election-retry-period TEXT Time between attempts to acquire or renew the Lease. "
        "[default: 5s]",
        "--leader-election-release-on-cancel [=true|false]",
        "--requeue-dependency TEXT",
        "--no-cross-namespace-refs [=true|false]",
        "--default-service-account TEXT",
        "--token-cache-max-size INTEGER RANGE",
        "--watch-all-namespaces [=true|false]",
        "--events-addr TEXT",
    ):
        assert expected in text
    assert "--leader-elect " not in text  # the old name still works, hidden


def test_flux_s_leader_election_defaults() -> None:
    options = complete()
    assert (options.lease_duration, options.renew_deadline, options.retry_period) == (35.0, 30.0, 5.0)
    assert (options.release_on_cancel, options.requeue_dependency, options.token_cache_max_size) == (
        True, 30.0, 100
    )


def test_the_old_leader_elect_name_is_kept_as_an_alias() -> None:
    assert complete(leader_elect_alias=True).leader_elect
    assert complete(enable_leader_election=True).leader_elect


def test_watch_all_namespaces_watches_every_namespace() -> None:
    assert complete(watch_all_namespaces=True).namespace is None
    assert complete().namespace == "ns"


def test_a_bad_duration_names_its_flag() -> None:
    with pytest.raises(InputError, match="invalid value 'soon' for --requeue-dependency"):
        complete(requeue_dependency="soon")


def test_a_renew_deadline_not_under_the_lease_is_a_usage_error() -> None:
    options = complete(enable_leader_election=True, leader_election_renew_deadline="40s")
    with pytest.raises(InputError, match="renew-deadline must be less than the lease duration"):
        options.validate()


def test_an_events_address_that_is_not_a_url_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="for --events-addr: not an http"):
        complete(events_addr="localhost:9090").validate()


def test_a_bad_metrics_address_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="--metrics-addr"):
        complete(metrics_addr="nowhere").validate()


@pytest.fixture
def signals() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_run_starts_logs_and_stops_with_exit_code_0_on_sigterm(signals: None, tmp_path: Any) -> None:
    kube = FakeKube()
    kube.endless_watch = True
    options = complete(database=tmp_path / "db", log_format="json")
    options.validate()
    streams, out, err = captured()
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    assert options.run(kube, streams) == 0
    messages = [line for line in err.getvalue().splitlines()]
    assert '"msg": "starting kubectl-imagerepo run"' in messages[0]
    assert '"msg": "stopped"' in messages[-1]
    assert out.getvalue() == ""
