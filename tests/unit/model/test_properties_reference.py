"""Properties of `spec.image` parsing, over generated references (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.model.reference import ImageReferenceError, parse_image_reference

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_HOST = st.one_of(
    st.just("localhost"),
    st.lists(_LABEL, min_size=2, max_size=4).map(".".join),
    st.builds("{}.{}.{}.{}".format, *[st.integers(0, 255)] * 4),
    st.just("[::1]"),
)
_REGISTRY = st.builds(
    lambda host, port: host if port is None else f"{host}:{port}",
    _HOST,
    st.none() | st.integers(0, 65535),
)
_COMPONENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=20)
_PATH = st.lists(_COMPONENT, min_size=1, max_size=4).map("/".join)
_TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", min_size=1)
_DIGEST = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map(lambda h: f"sha256:{h}")
# Text built from the characters that matter to the parser, so that odd mixtures come up often.
_NEAR_MISS = st.text(alphabet="aZ09._-/:@[]%#?~ \t\n\u00e9\u0000", max_size=40)


@st.composite
def repositories(draw: st.DrawFn) -> str:
    """A valid reference without tag or digest, with or without a registry."""
    path = draw(_PATH)
    if draw(st.booleans()):
        return f"{draw(_REGISTRY)}/{path}"
    return path


@SETTINGS
@given(st.one_of(st.text(), _NEAR_MISS, repositories()))
def test_parse_raises_nothing_but_an_image_reference_error(text: str) -> None:
    try:
        parse_image_reference(text)
    except ImageReferenceError as bad:
        assert str(bad), "an empty message"


@SETTINGS
@given(st.one_of(st.text(), _NEAR_MISS, repositories()))
def test_error_messages_are_one_line_unless_the_input_had_line_breaks(text: str) -> None:
    try:
        parse_image_reference(text)
    except ImageReferenceError as bad:
        assert str(bad).count("\n") == text.count("\n")


@SETTINGS
@given(st.one_of(st.text(), _NEAR_MISS, repositories()), st.booleans())
def test_the_canonical_name_parses_to_itself(text: str, insecure: bool) -> None:
    try:
        parsed = parse_image_reference(text, insecure=insecure)
    except ImageReferenceError:
        return
    again = parse_image_reference(parsed.canonical_name, insecure=insecure)
    assert again == parsed
    assert again.canonical_name == parsed.canonical_name


@SETTINGS
@given(repositories())
def test_every_generated_repository_parses(text: str) -> None:
    parsed = parse_image_reference(text)
    assert parsed.canonical_name.endswith(text.partition("/")[2] if "/" in text else text)
    assert parsed.tags_url == f"{parsed.scheme}://{parsed.registry}/v2/{parsed.repository}/tags/list"


@SETTINGS
@given(repositories(), _TAG)
def test_a_tag_is_refused_and_named(text: str, tag: str) -> None:
    try:
        parse_image_reference(f"{text}:{tag[:128]}")
    except ImageReferenceError as bad:
        assert "should not include a tag" in str(bad) or "could not parse" in str(bad)
    else:
        raise AssertionError("a tagged reference was accepted")


@SETTINGS
@given(repositories(), _DIGEST)
def test_a_digest_is_refused_and_named(text: str, digest: str) -> None:
    try:
        parse_image_reference(f"{text}@{digest}")
    except ImageReferenceError as bad:
        assert str(bad).endswith(f"remove '@{digest}'")
    else:
        raise AssertionError("a reference with a digest was accepted")


@SETTINGS
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz+.-", min_size=1, max_size=10), repositories())
def test_a_url_scheme_is_refused_and_named(scheme: str, text: str) -> None:
    try:
        parse_image_reference(f"{scheme}://{text}")
    except ImageReferenceError as bad:
        assert str(bad).endswith(f"remove '{scheme}://'")
    else:
        raise AssertionError("a URL was accepted")
