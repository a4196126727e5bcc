"""Cluster access: kubeconfig, transport and requests to the API server."""
