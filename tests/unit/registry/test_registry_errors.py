"""The tag lister's pure rules: challenges, URL redaction, error texts, Link following, retries, tokens.

See docs/behaviour.md, Scanning and Registry access.
"""

from __future__ import annotations

import errno
import http.client
import inspect
import socket
import threading
from datetime import UTC, datetime

import oras.provider
import pytest
import requests
import urllib3.exceptions

from kubectl_imagerepo.gocompat.fmt import sprint_any
from kubectl_imagerepo.registry import tls
from kubectl_imagerepo.registry.challenge import choose_challenge, parse_challenges, realm_problem
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError, describe_status, redact_url, status_text
from kubectl_imagerepo.registry.neterrors import describe_network_error
from kubectl_imagerepo.registry.pagination import next_page_url
from kubectl_imagerepo.registry.retries import parse_retry_after, retry_delay, should_retry_status
from kubectl_imagerepo.registry.taglist import TagListError, body_text, decode_tag_list
from kubectl_imagerepo.registry.tags import TagRegistry
from kubectl_imagerepo.registry.tokencache import TokenCache

TAGS_URL = "https://r.example/v2/team/app/tags/list?n=1000"


# -- WWW-Authenticate ----------------------------------------------------------------------------------


def test_bearer_challenge_gives_realm_service_and_scope() -> None:
    [challenge] = parse_challenges(
        'Bearer realm="https://auth.example/token",service="r.example",scope="repository:team/app:pull"')

    assert challenge.scheme == "bearer"
    assert challenge.realm == "https://auth.example/token"
    assert challenge.service == "r.example"
    assert challenge.scopes == ("repository:team/app:pull",)


def test_challenge_scheme_and_parameter_names_match_in_any_case() -> None:
    [challenge] = parse_challenges('BEARER Realm="https://a/token", SERVICE="svc"')

    assert (challenge.scheme, challenge.realm, challenge.service) == ("bearer", "https://a/token", "svc")


def test_bare_unquoted_values_are_accepted_as_zot_sends_them() -> None:
    [challenge] = parse_challenges("basic realm=zot")

    assert (challenge.scheme, challenge.realm) == ("basic", "zot")


def test_a_bare_realm_url_keeps_its_colons_and_slashes() -> None:
    [challenge] = parse_challenges("bearer realm=https://zot.example/auth/token,service=zot")

    assert (challenge.realm, challenge.service) == ("https://zot.example/auth/token", "zot")


def test_several_scopes_in_one_challenge_are_split_on_whitespace() -> None:
    [challenge] = parse_challenges(
        'Bearer realm="https://a/t",scope="repository:a:pull repository:b:pull,push"')

    assert challenge.scopes == ("repository:a:pull", "repository:b:pull,push")


def test_an_opaque_scope_is_passed_through_verbatim() -> None:
    [challenge] = parse_challenges('Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",'
                                   'scope="aws"')

    assert challenge.scopes == ("aws",)


def test_insufficient_scope_error_is_read() -> None:
    [challenge] = parse_challenges(
        'Bearer realm="https://a/t",service="s",scope="repository:x:pull",error="insufficient_scope"')

    assert challenge.error == "insufficient_scope"


def test_quoted_values_keep_commas_and_escaped_quotes() -> None:
    [challenge] = parse_challenges(r'Basic realm="a, \"quoted\" realm"')

    assert challenge.realm == 'a, "quoted" realm'


def test_missing_commas_between_parameters_are_tolerated() -> None:
    [challenge] = parse_challenges('Bearer realm="https://a/t" service="s"')

    assert (challenge.realm, challenge.service) == ("https://a/t", "s")


def test_several_challenges_in_one_header_are_all_parsed() -> None:
    challenges = parse_challenges('Basic realm="r1", Bearer realm="https://a/t",service="s"')

    assert [(c.scheme, c.realm) for c in challenges] == [("basic", "r1"), ("bearer", "https://a/t")]


def test_bearer_is_answered_before_basic() -> None:
    chosen = choose_challenge(parse_challenges('Basic realm="r1", Bearer realm="https://a/t"'))

    assert chosen is not None and chosen.scheme == "bearer"


def test_unknown_schemes_leave_nothing_to_answer() -> None:
    assert choose_challenge(parse_challenges('Negotiate, Digest realm="x"')) is None


def test_an_empty_header_has_no_challenge() -> None:
    assert parse_challenges("") == []


# -- URL redaction -------------------------------------------------------------------------------------


def test_redaction_keeps_the_registry_protocol_parameters() -> None:
    url = "https://r.io/v2/a/tags/list?n=100&last=v1.2"

    assert redact_url(url) == "https://r.io/v2/a/tags/list?last=v1.2&n=100"


def test_redaction_replaces_every_other_parameter_value() -> None:
    url = "https://r.io/v2/a/tags/list?n=100&X-Amz-Signature=abc&next_page=gAAAA&orderby="

    assert redact_url(url) == (
        "https://r.io/v2/a/tags/list?X-Amz-Signature=REDACTED&n=100&next_page=REDACTED&orderby=REDACTED")


def test_redaction_keeps_scope_and_service_encoded_as_go_encodes_them() -> None:
    url = "https://auth.io/token?service=r.io&scope=repository:team/app:pull&account=bob"

    assert redact_url(url) == (
        "https://auth.io/token?account=REDACTED&scope=repository%3Ateam%2Fapp%3Apull&service=r.io")


def test_redaction_drops_user_info_and_fragment() -> None:
    assert redact_url("https://bob:hunter2@r.io/v2/a/tags/list?n=1#frag") == "https://r.io/v2/a/tags/list?n=1"


def test_a_url_without_query_stays_without_question_mark() -> None:
    assert redact_url("http://127.0.0.1:5000/v2/a/tags/list") == "http://127.0.0.1:5000/v2/a/tags/list"


# -- error texts ---------------------------------------------------------------------------------------


def test_status_without_body_is_go_status_line() -> None:
    assert describe_status(404, b"") == "unexpected status code 404 Not Found"


def test_status_texts_are_gos_whatever_the_python_version() -> None:
    assert (status_text(413), status_text(422), status_text(429)) == (
        "Request Entity Too Large", "Unprocessable Entity", "Too Many Requests")


def test_a_status_go_has_no_text_for_keeps_gos_trailing_space() -> None:
    assert describe_status(499, b"") == "unexpected status code 499 "


def test_non_json_body_follows_the_status_without_trailing_newline() -> None:
    assert describe_status(429, b"Too Many Requests (HAP429).\n") == (
        "unexpected status code 429 Too Many Requests: Too Many Requests (HAP429).")


def test_a_very_long_body_is_clipped() -> None:
    text = describe_status(502, b"<html>" + b"x" * 5000)

    assert text.startswith("unexpected status code 502 Bad Gateway: <html>xxx")
    assert text.endswith("…")
    assert len(text) < 1100


def test_registry_json_error_is_its_code_and_message_without_the_status() -> None:
    body = b'{"errors":[{"code":"TOO_MANY_TAGS_REQUESTED","message":"n must be at most 100"}]}'

    assert describe_status(413, body) == "TOO_MANY_TAGS_REQUESTED: n must be at most 100"


def test_an_object_detail_prints_as_a_go_map_with_sorted_keys() -> None:
    body = b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry",' \
           b'"detail":{"name":"team/app","b":1}}]}'

    assert describe_status(404, body) == (
        "NAME_UNKNOWN: repository name not known to registry; map[b:1 name:team/app]")


def test_distributions_unauthorized_detail_prints_as_go_prints_it() -> None:
    body = (b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":'
            b'[{"Type":"repository","Class":"","Name":"team/app","Action":"pull"}]}]}')

    assert describe_status(401, body) == (
        "UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:team/app Type:repository]]")


def test_a_null_detail_is_left_out() -> None:
    body = b'{"errors":[{"code":"DENIED","message":"no","detail":null}]}'

    assert describe_status(403, body) == "DENIED: no"


def test_several_json_errors_are_joined() -> None:
    body = b'{"errors":[{"code":"DENIED","message":"a"},{"code":"UNSUPPORTED","message":"b","detail":"c"}]}'

    assert describe_status(403, body) == "multiple errors returned: DENIED: a; UNSUPPORTED: b; c"


def test_json_error_field_names_match_in_any_case_as_go_decodes_them() -> None:
    body = b'{"Errors":[{"Code":"NAME_INVALID","Message":"bad"}]}'

    assert describe_status(400, body) == "NAME_INVALID: bad"


def test_json_without_an_errors_list_is_quoted_as_a_raw_body() -> None:
    assert describe_status(404, b'{"code":"NOT_FOUND","message":"x"}') == (
        'unexpected status code 404 Not Found: {"code":"NOT_FOUND","message":"x"}')


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (1, "1"),
        (100000, "100000"),
        (1234567, "1.234567e+06"),
        (0.5, "0.5"),
        (0.00001, "1e-05"),
        (-2.25, "-2.25"),
        (True, "true"),
        (None, "<nil>"),
        ([1, "a", [2]], "[1 a [2]]"),
        ({"z": {"y": None}}, "map[z:map[y:<nil>]]"),
    ],
)
def test_json_values_print_as_go_percent_v_prints_them(value: object, printed: str) -> None:
    assert sprint_any(value) == printed


def test_registry_error_is_method_redacted_url_and_detail() -> None:
    error = RegistryError("context deadline exceeded", method="GET",
                          url="https://r.io/v2/a/tags/list?n=1000&token=abc")

    assert str(error) == "GET https://r.io/v2/a/tags/list?n=1000&token=REDACTED: context deadline exceeded"
    assert error.url == "https://r.io/v2/a/tags/list?n=1000&token=REDACTED"


def test_registry_error_without_a_request_is_the_detail_alone() -> None:
    assert str(RegistryError("pagination URL host does not match registry host: potential SSRF attack")) == (
        "pagination URL host does not match registry host: potential SSRF attack")


def test_registry_error_scrubs_known_secrets_from_message_and_repr() -> None:
    error = RegistryError("server said: token s3cr3t-token is bad", method="GET", url=TAGS_URL,
                          secrets={"s3cr3t-token"})

    assert "s3cr3t-token" not in str(error) + repr(error)
    assert str(error).endswith("server said: token REDACTED is bad")


# -- credentials ---------------------------------------------------------------------------------------


def test_credentials_repr_shows_the_username_and_hides_the_secrets() -> None:
    credentials = Credentials("robot", "p4ss", identity_token="idt0k")

    assert repr(credentials) == (
        "Credentials(username='robot', password='<redacted>', identity_token='<redacted>')")
    assert str(credentials) == repr(credentials)


def test_credentials_fingerprint_tells_passwords_apart_without_containing_them() -> None:
    first, second = Credentials("robot", "p4ss"), Credentials("robot", "other")

    assert first.fingerprint != second.fingerprint
    assert "p4ss" not in first.fingerprint


def test_credentials_secrets_include_the_basic_encoding() -> None:
    credentials = Credentials("robot", "p4ss")

    assert credentials.basic == "Basic cm9ib3Q6cDRzcw=="
    assert credentials.secrets() == {"p4ss", "cm9ib3Q6cDRzcw=="}


def test_a_registry_token_alone_has_no_basic_form() -> None:
    assert Credentials(token="t0k").basic is None


# -- Link ----------------------------------------------------------------------------------------------


def test_no_link_header_is_the_last_page() -> None:
    assert next_page_url(None, TAGS_URL, scheme="https", host="r.example") is None
    assert next_page_url("", TAGS_URL, scheme="https", host="r.example") is None


def test_a_path_link_is_resolved_against_the_request_url() -> None:
    link = '</v2/team/app/tags/list?last=v9&n=100>; rel="next"'

    assert next_page_url(link, TAGS_URL, scheme="https", host="r.example") == (
        "https://r.example/v2/team/app/tags/list?last=v9&n=100")


def test_a_relative_link_without_leading_slash_is_resolved_against_the_request_path() -> None:
    assert next_page_url('<list?last=v9>; rel="next"', TAGS_URL, scheme="https", host="r.example") == (
        "https://r.example/v2/team/app/tags/list?last=v9")


def test_an_absolute_link_to_the_registry_is_kept_as_is() -> None:
    link = '<https://r.example/v2/team/app/tags/list?last=OPAQUE%2Fcursor>; rel="next"'

    assert next_page_url(link, TAGS_URL, scheme="https", host="r.example") == (
        "https://r.example/v2/team/app/tags/list?last=OPAQUE%2Fcursor")


def test_the_host_comparison_ignores_case_and_the_default_port() -> None:
    link = '<https://R.Example:443/v2/team/app/tags/list?last=v9>; rel="next"'

    assert next_page_url(link, TAGS_URL, scheme="https", host="r.example") is not None


def test_a_link_to_another_host_is_refused() -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url('<https://evil.example/v2/team/app/tags/list?last=v9>; rel="next"', TAGS_URL,
                      scheme="https", host="r.example")

    assert str(caught.value) == "pagination URL host does not match registry host: potential SSRF attack"


def test_a_link_to_another_port_of_the_same_host_is_refused() -> None:
    with pytest.raises(RegistryError, match="pagination URL host does not match registry host"):
        next_page_url('<https://r.example:8443/v2/x/tags/list>; rel="next"', TAGS_URL, scheme="https",
                      host="r.example")


def test_a_link_carrying_user_info_is_refused() -> None:
    with pytest.raises(RegistryError, match="pagination URL host does not match registry host"):
        next_page_url('<https://bob@r.example/v2/x/tags/list>; rel="next"', TAGS_URL, scheme="https",
                      host="r.example")


def test_a_protocol_relative_link_to_another_host_is_refused() -> None:
    with pytest.raises(RegistryError, match="pagination URL host does not match registry host"):
        next_page_url('<//evil.example/v2/x/tags/list>; rel="next"', TAGS_URL, scheme="https",
                      host="r.example")


def test_a_link_to_another_scheme_is_refused() -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url('<http://r.example/v2/x/tags/list?last=a>; rel="next"', TAGS_URL, scheme="https",
                      host="r.example")

    assert str(caught.value) == 'pagination URL scheme "http" does not match registry scheme "https"'


def test_the_next_link_is_chosen_among_several() -> None:
    link = '</v2/x/tags/list?last=a>; rel="prev", </v2/x/tags/list?last=z>; rel=next'

    assert next_page_url(link, TAGS_URL, scheme="https", host="r.example") == (
        "https://r.example/v2/x/tags/list?last=z")


def test_a_first_link_without_rel_is_followed_as_ggcr_does() -> None:
    assert next_page_url("</v2/x/tags/list?last=z>", TAGS_URL, scheme="https", host="r.example") == (
        "https://r.example/v2/x/tags/list?last=z")


def test_links_that_are_not_next_end_the_listing() -> None:
    assert next_page_url('</v2/x/tags/list?last=a>; rel="prev"', TAGS_URL, scheme="https",
                         host="r.example") is None


def test_an_empty_link_ends_the_listing() -> None:
    assert next_page_url('<>; rel="next"', TAGS_URL, scheme="https", host="r.example") is None


def test_a_link_not_starting_with_angle_bracket_is_an_error() -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url('/v2/x/tags/list?last=a; rel="next"', TAGS_URL, scheme="https", host="r.example")

    assert str(caught.value) == (
        'failed to parse link header: missing \'<\' in: /v2/x/tags/list?last=a; rel="next"')


def test_a_link_without_closing_angle_bracket_is_an_error() -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url("</v2/x/tags/list?last=a", TAGS_URL, scheme="https", host="r.example")

    assert str(caught.value) == "failed to parse link header: missing '>' in: </v2/x/tags/list?last=a"


# -- retries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 499, 500, 502, 503, 504, 522])
def test_transient_statuses_are_retried(status: int) -> None:
    assert should_retry_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 413, 501, 505])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not should_retry_status(status)


def test_the_first_retry_waits_one_second() -> None:
    assert retry_delay(1, now=0.0, deadline=60.0) == 1.0


def test_the_second_retry_waits_three_seconds() -> None:
    assert retry_delay(2, now=0.0, deadline=60.0) == 3.0


def test_there_is_no_fourth_attempt() -> None:
    assert retry_delay(3, now=0.0, deadline=60.0) is None


def test_jitter_stretches_the_backoff() -> None:
    assert retry_delay(2, now=0.0, deadline=60.0, jitter=0.1) == pytest.approx(3.3)


def test_retry_after_seconds_replace_the_backoff() -> None:
    assert retry_delay(1, now=0.0, deadline=60.0, retry_after="7") == 7.0


def test_retry_after_as_an_http_date_is_honoured() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    assert retry_delay(1, now=0.0, deadline=60.0, retry_after="Fri, 02 Jan 2026 03:04:15 GMT",
                       wall_clock=now) == 10.0


def test_a_wait_reaching_the_deadline_gives_up_instead() -> None:
    assert retry_delay(1, now=0.0, deadline=5.0, retry_after="30") is None
    assert retry_delay(2, now=0.0, deadline=2.5) is None


def test_an_unreadable_retry_after_falls_back_to_the_backoff() -> None:
    assert parse_retry_after("soon") is None
    assert retry_delay(1, now=0.0, deadline=60.0, retry_after="soon") == 1.0


def test_a_retry_after_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:00 GMT", datetime(2026, 6, 1, tzinfo=UTC)) == 0.0


# -- network errors, as requests raises them -----------------------------------------------------------


def _requests_connection_error(cause: BaseException) -> requests.exceptions.ConnectionError:
    """Wrap `cause` the way requests and urllib3 2 wrap a failed connect."""
    new_connection = urllib3.exceptions.NewConnectionError(
        None,  # type: ignore[arg-type]  # the connection object plays no part in the text
        f"Failed to establish a new connection: {cause}",
    )
    new_connection.__cause__ = cause
    retries = urllib3.exceptions.MaxRetryError(None, "/v2/x/tags/list", new_connection)  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(retries)


def test_a_refused_connection_reads_as_gos_dial_error_and_is_final() -> None:
    error = _requests_connection_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))

    assert describe_network_error(error, "http://127.0.0.1:1/v2/x/tags/list?n=1000") == (
        "dial tcp 127.0.0.1:1: connect: connection refused", False)


def test_the_dial_address_gets_the_schemes_default_port() -> None:
    error = _requests_connection_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))

    assert describe_network_error(error, "https://r.example/v2/x/tags/list")[0] == (
        "dial tcp r.example:443: connect: connection refused")


def test_a_refused_proxy_reads_as_gos_proxyconnect_error() -> None:
    refused = _requests_connection_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
    error = requests.exceptions.ProxyError(
        urllib3.exceptions.ProxyError("Unable to connect to proxy", refused))

    assert describe_network_error(error, "https://r.example/v2/x", proxy="http://u:pw@10.0.0.9:3128")[0] == (
        "proxyconnect tcp: dial tcp 10.0.0.9:3128: connect: connection refused")


def test_a_reset_connection_is_retried() -> None:
    error = requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", ConnectionResetError(errno.ECONNRESET, "reset")))

    assert describe_network_error(error, TAGS_URL) == ("read: connection reset by peer", True)


def test_a_server_closing_without_answer_is_eof_and_retried() -> None:
    error = requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.",
        http.client.RemoteDisconnected("Remote end closed connection without response")))

    assert describe_network_error(error, TAGS_URL) == ("EOF", True)


def test_an_unknown_host_reads_as_gos_lookup_error() -> None:
    error = _requests_connection_error(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))

    assert describe_network_error(error, "https://nosuch.invalid/v2/x/tags/list") == (
        "dial tcp: lookup nosuch.invalid: no such host", False)


# -- token cache ---------------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


KEY = ("https://auth.example/token", "r.example", "repository:team/app:pull", "fingerprint")


def test_a_token_is_kept_until_shortly_before_it_expires() -> None:
    clock = _Clock()
    cache = TokenCache(clock)
    cache.put(KEY, "t1", 60)

    clock.now += 53
    assert cache.get(KEY) == "t1"
    clock.now += 1
    assert cache.get(KEY) is None


def test_tokens_are_kept_per_key() -> None:
    cache = TokenCache(_Clock())
    cache.put(KEY, "t1", 300)

    assert cache.get((*KEY[:3], "another-credential")) is None
    assert cache.get((*KEY[:2], "repository:team/other:pull", KEY[3])) is None


def test_discarding_a_refused_token_leaves_a_newer_one_alone() -> None:
    cache = TokenCache(_Clock())
    cache.put(KEY, "new", 300)

    cache.discard(KEY, "old")

    assert cache.get(KEY) == "new"


def test_fetch_returns_the_cached_token_without_fetching() -> None:
    cache = TokenCache(_Clock())
    cache.put(KEY, "t1", 300)

    assert cache.fetch(KEY, lambda: pytest.fail("fetched")) == "t1"


def test_fetch_replaces_a_stale_token() -> None:
    cache = TokenCache(_Clock())
    cache.put(KEY, "refused", 300)

    assert cache.fetch(KEY, lambda: ("fresh", 300.0), stale="refused") == "fresh"
    assert cache.get(KEY) == "fresh"


def test_concurrent_fetches_of_one_key_fetch_once() -> None:
    cache = TokenCache()
    calls: list[int] = []
    gate = threading.Event()

    def fetch() -> tuple[str, float]:
        calls.append(1)
        gate.wait(1)
        return "shared", 300.0

    results: list[str | None] = []
    threads = [threading.Thread(target=lambda: results.append(cache.fetch(KEY, fetch))) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()

    assert calls == [1]
    assert results == ["shared"] * 8


# -- the oras names the tag client keeps -------------------------------------------------------------


@pytest.mark.parametrize("name", ["do_request", "get_tags"])
def test_the_tag_client_takes_the_parameters_of_the_oras_method_it_is_named_after(name: str) -> None:
    original = inspect.signature(inspect.unwrap(getattr(oras.provider.Registry, name)))
    ours = inspect.signature(getattr(TagRegistry, name))

    assert set(original.parameters) <= set(ours.parameters)


def test_tls_contexts_are_shared_by_files_of_the_same_content(tmp_path):
    from tests.harness.pki import CertificateAuthority

    ca = CertificateAuthority(tmp_path / "pki")
    first, second = tmp_path / "a.crt", tmp_path / "b.crt"
    first.write_bytes(ca.cert_pem)
    second.write_bytes(ca.cert_pem)
    assert tls.tls_context(str(first), None) is tls.tls_context(str(second), None)


def test_the_tls_context_cache_is_bounded(tmp_path, monkeypatch):
    from tests.harness.pki import CertificateAuthority

    monkeypatch.setattr(tls, "MAX_CONTEXTS", 2)
    for index in range(4):
        path = tmp_path / f"{index}.crt"
        path.write_bytes(CertificateAuthority(tmp_path / f"pki{index}").cert_pem)
        tls.tls_context(str(path), None)
    assert len(tls._CONTEXTS) <= 2


# -- Go's url.Error for a request without an answer -----------------------------------------------------


def test_a_request_without_an_answer_reads_as_gos_url_error() -> None:
    error = RegistryError("context deadline exceeded", method="GET",
                          url="http://127.0.0.1:5000/v2/team/app/tags/list?n=1000&last=b", url_error=True)

    assert str(error) == (
        'Get "http://127.0.0.1:5000/v2/team/app/tags/list?n=1000&last=b": context deadline exceeded')


def test_the_url_error_keeps_the_query_order_and_still_redacts_signatures() -> None:
    error = RegistryError("context deadline exceeded", method="GET",
                          url="https://r.io/v2/a/tags/list?n=1000&X-Amz-Signature=abc", url_error=True)

    assert str(error) == (
        'Get "https://r.io/v2/a/tags/list?n=1000&X-Amz-Signature=REDACTED": context deadline exceeded')


def test_an_empty_head_answer_says_head_has_no_body_as_ggcr_does() -> None:
    assert describe_status(404, b"", method="HEAD") == (
        "unexpected status code 404 Not Found (HEAD responses have no body, use GET for details)")


def test_a_json_error_list_that_is_empty_quotes_the_raw_body() -> None:
    assert describe_status(500, b'{"errors":[]}') == (
        'unexpected status code 500 Internal Server Error: {"errors":[]}')


# -- the token realm, checked as ggcr checks it --------------------------------------------------------


@pytest.mark.parametrize(
    ("realm", "host"),
    [
        ("http://127.0.0.1:5001/token", "127.0.0.1"),
        ("http://[::1]:5001/token", "::1"),
        ("https://10.1.2.3/token", "10.1.2.3"),
        ("https://169.254.169.254/latest", "169.254.169.254"),
        ("https://0.0.0.0/token", "0.0.0.0"),
    ],
)
def test_a_realm_on_an_internal_address_other_than_the_registry_is_refused(realm: str, host: str) -> None:
    assert realm_problem(realm, "127.0.0.1:5000", insecure=True) == (
        f'invalid realm in www-authenticate: realm host "{host}" is a private or link-local address')


def test_a_realm_on_the_registrys_own_host_and_port_is_accepted() -> None:
    assert realm_problem("http://127.0.0.1:5000/token", "127.0.0.1:5000", insecure=True) is None


def test_a_realm_named_by_a_host_name_is_not_resolved() -> None:
    assert realm_problem("http://localhost:5001/token", "127.0.0.1:5000", insecure=True) is None


def test_a_plain_http_realm_is_refused_for_a_tls_registry() -> None:
    assert realm_problem("http://auth.example/token", "r.example", insecure=False) == (
        'invalid realm in www-authenticate: realm scheme "http" not allowed for a secure registry; use https')


def test_a_realm_of_another_scheme_is_refused() -> None:
    assert realm_problem("ftp://auth.example/token", "r.example", insecure=False) == (
        'invalid realm in www-authenticate: realm scheme "ftp" not allowed; must be https (or http for '
        "insecure registries)")


def test_a_public_realm_is_accepted() -> None:
    assert realm_problem("https://auth.docker.io/token", "index.docker.io", insecure=False) is None


# -- a Link Go cannot parse ----------------------------------------------------------------------------


def test_a_link_go_cannot_parse_is_gos_parse_error() -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url('<http://[::1:bad>; rel="next"', TAGS_URL, scheme="https", host="r.example")

    assert str(caught.value) == "parse \"http://[::1:bad\": missing ']' in host"


# -- tag-list bodies, decoded as ggcr decodes them ------------------------------------------------------


def decoded(body: bytes) -> list[str]:
    return decode_tag_list(body_text(body))


def decode_error(body: bytes) -> str:
    with pytest.raises(TagListError) as caught:
        decoded(body)
    return str(caught.value)


def test_a_tag_list_gives_its_tags_in_order() -> None:
    assert decoded(b'{"name":"app","tags":["b","a"]}') == ["b", "a"]


def test_a_null_tag_list_has_no_tags() -> None:
    assert decoded(b'{"name":"app","tags":null}') == []


def test_a_null_tag_is_the_empty_tag_as_go_decodes_it() -> None:
    assert decoded(b'{"tags":["a",null]}') == ["a", ""]


def test_field_names_match_in_any_case_and_the_last_wins() -> None:
    assert decoded(b'{"tags":["a"],"TAGS":["b"]}') == ["b"]


def test_anything_after_the_first_value_is_ignored_as_by_gos_decoder() -> None:
    assert decoded(b'{"tags":["a"]} {"tags":["b"]} garbage') == ["a"]


def test_invalid_utf8_and_lone_surrogates_read_as_the_replacement_character() -> None:
    assert decoded(b'{"tags":["a\xffb","c\\ud800"]}') == ["a\ufffdb", "c\ufffd"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "EOF"),
        (b"  \n", "EOF"),
        (b'{"tags":["a"', "unexpected EOF"),
        (b"<html>", "invalid character '<' looking for beginning of value"),
        (b'{"tags":NaN}', "invalid character 'N' looking for beginning of value"),
        (b"[]", "json: cannot unmarshal array into Go value of type remote.Tags"),
        (b'{"tags":"a"}', "json: cannot unmarshal string into Go struct field Tags.tags of type []string"),
        (b'{"tags":[{"a":1}]}',
         "json: cannot unmarshal object into Go struct field Tags.tags of type string"),
        (b'{"name":5,"tags":[]}',
         "json: cannot unmarshal number into Go struct field Tags.name of type string"),
    ],
)
def test_a_body_that_is_not_a_tag_list_is_gos_decoder_error(body: bytes, error: str) -> None:
    assert decode_error(body) == error
