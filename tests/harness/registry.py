"""Real OCI registries on loopback, and a fast way to fill a repository with tags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from tests.harness.processes import Server, free_port, start, wait_until

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
EMPTY_CONFIG_TYPE = "application/vnd.oci.empty.v1+json"
# Above this many tags, seeding writes the registry's tag links on disk instead of PUTting manifests.
HTTP_SEED_LIMIT = 200


@dataclass
class Registry:
    """A running registry with its storage directory; `host` is `127.0.0.1:<port>`."""

    name: str
    host: str
    root: Path
    server: Server
    paginates: bool

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self) -> None:
        self.server.stop()

    def tags(self, repository: str) -> list[str]:
        """Every tag of `repository`, following `Link` pages (for assertions)."""
        found: list[str] = []
        url = f"{self.url}/v2/{repository}/tags/list"
        while url:
            answer = requests.get(url, timeout=30)
            answer.raise_for_status()
            found += answer.json().get("tags") or []
            link = answer.headers.get("Link", "")
            url = requests.compat.urljoin(url, link[link.index("<") + 1 : link.index(">")]) if link else ""
        return found

    def push(self, repository: str, tag: str, layer: bytes) -> str:
        """Tag an image whose one layer is `layer` (a distinct image per content); its manifest digest."""
        return _push_image(self.url, repository, tag, layer)[0]

    def seed(self, repository: str, tags: Iterable[str]) -> str:
        """Put one small image under every tag of `tags` in `repository`; returns the manifest digest."""
        tags = list(tags)
        digest, manifest = _push_image(self.url, repository, tags[0] if tags else "seed")
        if len(tags) <= HTTP_SEED_LIMIT:
            with requests.Session() as s:
                for tag in tags[1:]:
                    s.put(
                        f"{self.url}/v2/{repository}/manifests/{tag}",
                        data=manifest,
                        headers={"Content-Type": MANIFEST_TYPE},
                        timeout=30,
                    ).raise_for_status()
        else:
            _link_tags(self.root, repository, tags[1:], digest)
        return digest


def _blob(url: str, repository: str, content: bytes, session: requests.Session) -> str:
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    started = session.post(f"{url}/v2/{repository}/blobs/uploads/", timeout=30)
    started.raise_for_status()
    location = requests.compat.urljoin(url, started.headers["Location"])
    separator = "&" if "?" in location else "?"
    session.put(
        f"{location}{separator}digest={digest}",
        data=content,
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    ).raise_for_status()
    return digest


def _push_image(url: str, repository: str, tag: str, layer: bytes | None = None) -> tuple[str, bytes]:
    """Upload a two-blob OCI image (empty config, a tiny layer) and tag it; (digest, manifest)."""
    with requests.Session() as s:
        config = b"{}"
        layer = layer if layer is not None else f"kubectl-imagerepo test layer for {repository}\n".encode()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": {
                    "mediaType": EMPTY_CONFIG_TYPE,
                    "digest": _blob(url, repository, config, s),
                    "size": len(config),
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": _blob(url, repository, layer, s),
                        "size": len(layer),
                    }
                ],
            },
            separators=(",", ":"),
        ).encode()
        s.put(
            f"{url}/v2/{repository}/manifests/{tag}",
            data=manifest,
            headers={"Content-Type": MANIFEST_TYPE},
            timeout=30,
        ).raise_for_status()
    return "sha256:" + hashlib.sha256(manifest).hexdigest(), manifest


def _link_tags(root: Path, repository: str, tags: Iterable[str], digest: str) -> None:
    """Tag an already pushed manifest by writing the filesystem driver's tag links directly.

    The registry reads the tag directory on every listing, so the tags show up at once.
    """
    algorithm, hex_digest = digest.split(":", 1)
    base = root / "docker" / "registry" / "v2" / "repositories" / repository / "_manifests" / "tags"
    for tag in tags:
        current = base / tag / "current"
        index = base / tag / "index" / algorithm / hex_digest
        current.mkdir(parents=True, exist_ok=True)
        index.mkdir(parents=True, exist_ok=True)
        (current / "link").write_text(digest)
        (index / "link").write_text(digest)


def _config(root: Path, port: int, max_tags: int | None) -> dict[str, object]:
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(root)},
            "delete": {"enabled": True},
            "cache": {"blobdescriptor": "inmemory"},
        },
        "http": {"addr": f"127.0.0.1:{port}", "secret": "kubectl-imagerepo-tests"},
    }
    if max_tags is not None:
        config["tags"] = {"maxtags": max_tags}
    return config


def start_registry(
    name: str, binary: Path, workdir: Path, *, legacy: bool, max_tags: int | None = None
) -> Registry:
    """Start distribution v3 (`legacy=False`, paginating) or Debian's 2.8 (`legacy=True`)."""
    root = workdir / f"{name}-data"
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config_file = workdir / f"{name}.yml"
    config_file.write_text(yaml.safe_dump(_config(root, port, None if legacy else max_tags)))
    argv = [str(binary), "serve", str(config_file)]
    env = {"OTEL_TRACES_EXPORTER": "none", "OTEL_SDK_DISABLED": "true"}
    server = start(name, argv, workdir, env=env)
    host = f"127.0.0.1:{port}"
    wait_until(server, lambda: requests.get(f"http://{host}/v2/", timeout=1).status_code == 200, timeout=30)
    return Registry(name=name, host=host, root=root, server=server, paginates=not legacy)
