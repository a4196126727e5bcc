"""The real servers the e2e tests and `make sandbox` run: etcd, kube-apiserver, kubectl, registries."""
