"""What the commands print: kubectl's printers, tables, describe, events, progress."""
