"""pytest settings for tests/ (``make test`` runs with --nbval)."""

# Student submissions used as test data: some are broken on purpose; nbval must not run them.
collect_ignore_glob = ["submissions/*"]
