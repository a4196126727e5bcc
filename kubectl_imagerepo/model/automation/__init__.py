"""ImageUpdateAutomation's update step (image-automation-controller v1.2.0, internal/update)."""
