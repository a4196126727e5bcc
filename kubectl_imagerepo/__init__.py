"""Reconcile Flux ImageRepository objects from your own machine."""

__version__ = "0.1.0"
