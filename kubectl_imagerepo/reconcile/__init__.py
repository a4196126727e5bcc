"""One reconcile of one ImageRepository, and writing its status and events."""
