"""kubectl's connection flags as plain data, in kubectl's order and wording.

Plain tuples, so that the root `--help` can list them without importing click (cli.py); kube/flags.py
makes the click options from them.
"""

from __future__ import annotations

#: (param declarations, KubeFlags field, help, is an on/off flag).
KUBE_OPTIONS: tuple[tuple[tuple[str, ...], str, str, bool], ...] = (
    (("--kubeconfig",), "kubeconfig", "Path to the kubeconfig file to use for CLI requests.", False),
    (("--context",), "context", "The name of the kubeconfig context to use", False),
    (("-n", "--namespace"), "namespace", "If present, the namespace scope for this CLI request", False),
    (("-s", "--server"), "server", "The address and port of the Kubernetes API server", False),
    (("--token",), "token", "Bearer token for authentication to the API server", False),
    (
        ("--certificate-authority",),
        "certificate_authority",
        "Path to a cert file for the certificate authority",
        False,
    ),
    (("--as",), "impersonate", "Username to impersonate for the operation.", False),
    (
        ("--insecure-skip-tls-verify",),
        "insecure_skip_tls_verify",
        "If true, the server's certificate will not be checked for validity.",
        True,
    ),
    (
        ("--request-timeout",),
        "request_timeout",
        "The length of time to wait before giving up on a single server request "
        "(e.g. 1s, 2m, 3h); 0 means no timeout.",
        False,
    ),
)
