"""The ImagePolicy commands (`kubectl imagerepo policy ...`), one module each, as kubectl's rollout/."""
