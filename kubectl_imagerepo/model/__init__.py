"""The pure model: ImageRepository values, references, tags, conditions, decisions. No I/O."""
