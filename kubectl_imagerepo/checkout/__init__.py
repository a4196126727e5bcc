"""A local checkout: the files the update step reads, and atomic writes back into it."""
