"""One translation per resource: declared inputs <-> API JSON.

Each module holds the resource's `SCHEMA` (used by `check` and `diff`) and the
functions that turn checked inputs into the API body and an API answer back
into inputs, the one normalization shared by `check` and `read`.
"""
