"""Storage: what the service keeps on disk, and nothing about how it is made.

Atomic files, the content-addressed audio cache, the stored readings, one SQLite helper, and the
SQLite stores built on it (the pronunciation lexicon, the activity log). Imports only `config`,
`errors` and `models` from the rest of the service.
"""
