"""The ImageUpdateAutomation commands (`kubectl imagerepo automation ...`), one module each."""
