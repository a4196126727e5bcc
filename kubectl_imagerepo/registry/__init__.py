"""Registry access: credentials, auth flow, transport and the tag lister."""
