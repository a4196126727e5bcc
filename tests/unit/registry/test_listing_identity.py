"""The identity of a listing: equal access is one identity, any difference in access is another."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kubectl_imagerepo.model.reference import ImageReference
from kubectl_imagerepo.registry.access import RegistryAccess
from kubectl_imagerepo.registry.cloud import CloudLogin, Workload
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.listing_identity import listing_identity

IMAGE = ImageReference("registry.example", "team/app")
text = st.text(min_size=0, max_size=12)


def access_with(
    tmp: Path, name: str, *, ca: bytes | None = None, cert: bytes | None = None, **fields: object
) -> RegistryAccess:
    """An access whose TLS files are written for this object alone, as resolve_access writes them."""
    folder = tmp / name
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = client = None
    if ca is not None:
        (folder / "ca.crt").write_bytes(ca)
        ca_file = str(folder / "ca.crt")
    if cert is not None:
        (folder / "tls.crt").write_bytes(cert)
        (folder / "tls.key").write_bytes(b"key:" + cert)
        client = (str(folder / "tls.crt"), str(folder / "tls.key"))
    return RegistryAccess(ca_file=ca_file, client_cert=client, **fields)  # type: ignore[arg-type]


@given(user=text, password=text)
def test_equal_credentials_from_two_secrets_are_one_identity(user: str, password: str) -> None:
    one = RegistryAccess(credentials=Credentials(user, password))
    other = RegistryAccess(credentials=Credentials(user, password))
    assert listing_identity(IMAGE, one) == listing_identity(IMAGE, other)


@given(user=text, password=text, other_password=text)
def test_any_difference_in_credentials_is_another_identity(
    user: str, password: str, other_password: str
) -> None:
    one = RegistryAccess(credentials=Credentials(user, password))
    other = RegistryAccess(credentials=Credentials(user, other_password))
    assert (listing_identity(IMAGE, one) == listing_identity(IMAGE, other)) == (password == other_password)


def test_anonymous_shares_only_with_anonymous() -> None:
    anonymous = RegistryAccess()
    assert listing_identity(IMAGE, anonymous) == listing_identity(IMAGE, RegistryAccess())
    assert listing_identity(IMAGE, anonymous) != listing_identity(
        IMAGE, RegistryAccess(credentials=Credentials())
    )


def test_same_ca_bytes_in_two_files_are_one_identity_and_other_bytes_another(tmp_path: Path) -> None:
    one = access_with(tmp_path, "one", ca=b"CA")
    same = access_with(tmp_path, "two", ca=b"CA")
    other = access_with(tmp_path, "three", ca=b"other CA")
    assert listing_identity(IMAGE, one) == listing_identity(IMAGE, same) != listing_identity(IMAGE, other)
    assert listing_identity(IMAGE, one) != listing_identity(IMAGE, RegistryAccess())


def test_a_client_certificate_is_part_of_the_identity(tmp_path: Path) -> None:
    one = access_with(tmp_path, "one", cert=b"cert")
    same = access_with(tmp_path, "two", cert=b"cert")
    other = access_with(tmp_path, "three", cert=b"another cert")
    assert listing_identity(IMAGE, one) == listing_identity(IMAGE, same) != listing_identity(IMAGE, other)


@given(proxy=st.sampled_from(["http://p:3128", "http://u:pw@p:3128", "socks5://p:1080"]))
def test_a_proxy_is_part_of_the_identity(proxy: str) -> None:
    via = RegistryAccess(proxies={"https": proxy})
    assert listing_identity(IMAGE, via) != listing_identity(IMAGE, RegistryAccess())
    assert listing_identity(IMAGE, via) == listing_identity(IMAGE, RegistryAccess(proxies={"https": proxy}))


def test_insecure_is_part_of_the_identity() -> None:
    assert listing_identity(IMAGE, RegistryAccess()) != listing_identity(
        replace(IMAGE, insecure=True), RegistryAccess()
    )


def test_the_image_is_part_of_the_identity() -> None:
    assert listing_identity(IMAGE, RegistryAccess()) != listing_identity(
        ImageReference("registry.example", "team/other"), RegistryAccess()
    )


@given(provider=st.sampled_from(["aws", "azure", "gcp"]), account=st.sampled_from([None, "a", "b"]))
def test_the_provider_and_the_identity_it_logs_in_as_are_part_of_it(
    provider: str, account: str | None
) -> None:
    workload = None if account is None else Workload("team", account)
    cloud = RegistryAccess(cloud=CloudLogin(provider, "registry.example", workload=workload))
    same = RegistryAccess(cloud=CloudLogin(provider, "registry.example", workload=workload))
    assert listing_identity(IMAGE, cloud) == listing_identity(IMAGE, same)
    assert listing_identity(IMAGE, cloud) != listing_identity(IMAGE, RegistryAccess())
    for other_account in (None, "a", "b"):
        if other_account != account:
            other = None if other_account is None else Workload("team", other_account)
            moved = RegistryAccess(cloud=CloudLogin(provider, "registry.example", workload=other))
            assert listing_identity(IMAGE, cloud) != listing_identity(IMAGE, moved)


def test_the_identity_holds_no_secret() -> None:
    access = RegistryAccess(credentials=Credentials("robot", "s3cr3t-password"))
    assert "s3cr3t" not in listing_identity(IMAGE, access)
