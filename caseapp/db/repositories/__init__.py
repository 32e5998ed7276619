"""Queries over a Session. Repositories never commit: the service owns the transaction."""
