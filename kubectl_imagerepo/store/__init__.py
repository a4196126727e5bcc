"""The local tag database (SQLite)."""
