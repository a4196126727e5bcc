"""The commands of `kubectl imagerepo`, one module each, listed in commands/table.py."""
