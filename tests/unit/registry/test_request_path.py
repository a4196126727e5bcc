"""The registry request path, layer by layer: each layer wraps a scripted one below it, and the client
gives room for layers around each request (docs/behaviour.md, Registry access and Scanning)."""

from __future__ import annotations

import time
from collections.abc import Mapping

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from kubectl_imagerepo.registry.authflow import Authenticating, AuthFlow
from kubectl_imagerepo.registry.client import RegistryClient
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.deadline import DeadlineBound
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.pagination import next_page_url
from kubectl_imagerepo.registry.redirects import FollowRedirects
from kubectl_imagerepo.registry.retries import Retrying
from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper
from kubectl_imagerepo.registry.tokencache import TokenCache
from kubectl_imagerepo.registry.tokenexchange import TokenExchange

REGISTRY = "r.example"
TAGS = f"https://{REGISTRY}/v2/team/app/tags/list?n=1000"


def answer(request: Request, status: int, headers: Mapping[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b""
    response.headers = CaseInsensitiveDict(headers or {})
    response.url = request.url
    return response


class Script:
    """A round tripper answering from a list of (status, headers) and recording what it was sent."""

    def __init__(self, *answers: tuple[int, dict[str, str]]) -> None:
        self.answers = list(answers)
        self.sent: list[Request] = []

    def __call__(self, request: Request) -> requests.Response:
        self.sent.append(request)
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        return answer(request, status, headers)


def far() -> float:
    return time.monotonic() + 60


# -- redirects ---------------------------------------------------------------------------------------------


def test_a_redirect_to_another_host_drops_the_authorization() -> None:
    below = Script((307, {"Location": "https://blobs.example/x"}), (200, {}))

    FollowRedirects(below, secrets=set())(Request("GET", TAGS, authorization="Bearer t"))

    assert [(sent.url, sent.authorization) for sent in below.sent] == [
        (TAGS, "Bearer t"), ("https://blobs.example/x", None)]


def test_a_redirect_to_a_scheme_go_does_not_speak_is_gos_refusal() -> None:
    below = Script((302, {"Location": "ftp://r.example/x"}))

    with pytest.raises(RegistryError, match='unsupported protocol scheme "ftp"'):
        FollowRedirects(below, secrets=set())(Request("GET", TAGS))


# -- retries and the deadline ------------------------------------------------------------------------------


def test_a_retried_status_is_sent_again_after_the_backoff() -> None:
    below, waits = Script((503, {}), (200, {})), []

    response = Retrying(below, deadline=far, proxy_for=lambda url: None, secrets=set(),
                        sleep=waits.append)(Request("GET", TAGS))

    assert response.status_code == 200
    assert len(below.sent) == 2
    assert 1.0 <= waits[0] < 1.1


def test_no_request_starts_once_the_deadline_has_passed() -> None:
    below = Script()

    with pytest.raises(RegistryError) as caught:
        DeadlineBound(below, deadline=lambda: time.monotonic() - 1, secrets=set())(Request("GET", TAGS))

    assert str(caught.value) == f'Get "{TAGS}": context deadline exceeded'
    assert below.sent == []


# -- the auth flow -----------------------------------------------------------------------------------------


def auth(below: RoundTripper, credentials: Credentials | None, cache: TokenCache) -> Authenticating:
    tokens = TokenExchange(below, credentials=credentials, cache=cache, deadline=far, secrets=set())
    flow = AuthFlow(REGISTRY, "https", credentials=credentials, tokens=tokens, cache=cache, secrets=set())
    return Authenticating(below, flow)


def test_a_basic_challenge_is_answered_once_with_the_credentials() -> None:
    credentials = Credentials("robot", "secret-password")
    below = Script((401, {"WWW-Authenticate": 'Basic realm="r"'}), (200, {}))

    response = auth(below, credentials, TokenCache())(Request("GET", TAGS))

    assert response.status_code == 200
    assert [sent.authorization for sent in below.sent] == [None, credentials.basic]


def test_a_bearer_challenge_is_answered_with_a_token_from_its_realm() -> None:
    realm = "https://auth.example/token"
    below = Script((401, {"WWW-Authenticate": f'Bearer realm="{realm}",service="r"'}), (200, {}))
    sent_token: list[Request] = []

    def script(request: Request) -> requests.Response:
        if request.url.startswith(realm):
            sent_token.append(request)
            response = answer(request, 200)
            response._content = b'{"token": "t0ken-value"}'
            return response
        return below(request)

    response = auth(script, None, TokenCache())(Request("GET", TAGS))

    assert response.status_code == 200
    assert [sent.authorization for sent in below.sent] == [None, "Bearer t0ken-value"]
    assert [sent.url for sent in sent_token] == [
        f"{realm}?scope=repository%3Ateam%2Fapp%3Apull&service=r"]


def test_the_next_request_sends_what_the_registry_asked_for_last_time() -> None:
    credentials, cache = Credentials("robot", "secret-password"), TokenCache()
    auth(Script((401, {"WWW-Authenticate": 'Basic realm="r"'}), (200, {})), credentials, cache)(
        Request("GET", TAGS))
    below = Script((200, {}))

    auth(below, credentials, cache)(Request("GET", TAGS))

    assert [sent.authorization for sent in below.sent] == [credentials.basic]


def test_no_authorization_goes_to_another_origin() -> None:
    credentials, below = Credentials(token="fixed-token"), Script((200, {}))

    auth(below, credentials, TokenCache())(Request("GET", "https://elsewhere.example/v2/"))

    assert [sent.authorization for sent in below.sent] == [None]


# -- room for layers ---------------------------------------------------------------------------------------


def test_a_per_send_layer_sees_every_attempt() -> None:
    seen: list[str] = []

    def recorder(inner: RoundTripper) -> RoundTripper:
        def record(request: Request) -> requests.Response:
            seen.append(request.url)
            return answer(request, 200)
        return record

    with RegistryClient(REGISTRY, deadline=far(), per_send=(recorder,)) as client:
        response = client.do_request(TAGS)

    assert response.status_code == 200
    assert seen == [TAGS]


# -- pagination links Go's HTTP client refuses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "text"),
    [
        ("<ftp://r.example/v2/team/app/tags/list?last=a>",
         'Get "ftp://r.example/v2/team/app/tags/list?last=a": unsupported protocol scheme "ftp"'),
        ("<FTP://elsewhere.example/x>", 'Get "ftp://elsewhere.example/x": unsupported protocol scheme "ftp"'),
        ("<https:///v2/team/app/tags/list?last=a>",
         'Get "https:///v2/team/app/tags/list?last=a": http: no Host in request URL'),
    ],
    ids=["ftp", "ftp-elsewhere", "no-host"],
)
def test_a_link_gos_client_refuses_is_the_clients_refusal(link: str, text: str) -> None:
    with pytest.raises(RegistryError) as caught:
        next_page_url(link, TAGS, scheme="https", host=REGISTRY)

    assert str(caught.value) == text


def test_a_link_with_a_scheme_and_no_authority_is_not_taken_for_a_relative_one() -> None:
    with pytest.raises(RegistryError, match="http: no Host in request URL"):
        next_page_url("<https:/v2/team/app/tags/list?last=a>", TAGS, scheme="https", host=REGISTRY)
