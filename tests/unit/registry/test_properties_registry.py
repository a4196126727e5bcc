"""Properties of the tag lister: whatever headers and bodies a registry sends, it fails only with
RegistryError (docs/behaviour.md, Scanning)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from kubectl_imagerepo.registry.challenge import parse_challenges, realm_problem
from kubectl_imagerepo.registry.errors import RegistryError, describe_status
from kubectl_imagerepo.registry.pagination import next_page_url
from kubectl_imagerepo.registry.taglist import TagListError, body_text, decode_tag_list
from kubectl_imagerepo.registry.tags import TagRegistry

HOST = "r.example"
TAGS_URL = f"https://{HOST}/v2/team/app/tags/list?n=1000"

header_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from([
    '<http://[::1:bad>; rel="next"', "<>", "<", ">", '</v2/team/app/tags/list?last=a>; rel="next"',
    "<https://r.example:99999/x>", "<https://[::1]/x>", "<//evil/x>", "<?last=%zz>", "<http://r.example:x/>",
    'Bearer realm="http://127.0.0.1:1/t"', 'Bearer realm="https://[::1/t"', "Basic", "Bearer realm=",
])
bodies = st.binary(max_size=200) | st.sampled_from([
    b"", b"null", b"[]", b'{"tags":null}', b'{"tags":[1,null,"a"]}', b'{"tags":"x"}', b'{"tags":[',
    b'{"errors":[{"code":1,"message":[],"detail":1e999}]}', b'{"tags":["\\ud800"]}', b"[" * 5000,
]) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
).map(lambda value: repr(value).encode())
statuses = st.sampled_from([200, 200, 200, 301, 307, 400, 401, 403, 404, 405, 413, 429, 500, 503])


def _response(url: str, status: int, headers: Mapping[str, str], body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers)
    response.url = url
    request = requests.PreparedRequest()
    request.method = "GET"
    request.url = url
    response.request = request
    return response


class _Scripted(TagRegistry):
    """A TagRegistry whose requests are answered from a script instead of the network."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes]]) -> None:
        super().__init__(HOST, deadline=time.monotonic() + 60)
        self.answers = answers

    def do_request(self, url: str, method: str = "GET", *args: Any, **kwargs: Any) -> requests.Response:
        status, headers, body = self.answers.pop(0) if self.answers else (404, {}, b"")
        return _response(url, status, headers, body)


answers = st.lists(
    st.tuples(statuses, st.dictionaries(st.sampled_from(["Link", "WWW-Authenticate", "Retry-After", "X"]),
                                        header_values, max_size=3), bodies),
    min_size=1, max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(answers)
def test_the_tag_lister_raises_nothing_but_registry_error(
    script: list[tuple[int, dict[str, str], bytes]],
) -> None:
    registry = _Scripted(script)
    try:
        tags = registry.get_tags("team/app")
    except RegistryError as failure:
        assert str(failure)
    else:
        assert all(isinstance(tag, str) for tag in tags)
    finally:
        registry.close()


@settings(max_examples=300, deadline=None)
@given(header_values)
def test_any_link_header_is_a_url_none_or_registry_error(link: str) -> None:
    try:
        found = next_page_url(link, TAGS_URL, scheme="https", host=HOST)
    except RegistryError as failure:
        assert str(failure)
    else:
        assert found is None or found.startswith(f"https://{HOST}")


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_any_body_is_tags_or_a_tag_list_error(body: bytes) -> None:
    try:
        tags = decode_tag_list(body_text(body))
    except TagListError as failure:
        assert str(failure)
    else:
        assert all(isinstance(tag, str) for tag in tags)


@settings(max_examples=300, deadline=None)
@given(statuses, bodies)
def test_any_error_answer_has_a_text(status: int, body: bytes) -> None:
    assert describe_status(status, body)


@settings(max_examples=300, deadline=None)
@given(header_values)
def test_any_challenge_header_parses_and_its_realm_is_judged(header: str) -> None:
    for challenge in parse_challenges(header):
        problem = realm_problem(challenge.realm, HOST, insecure=False)
        assert problem is None or problem.startswith("invalid realm in www-authenticate: ")
