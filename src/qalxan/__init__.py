"""Qalxan: a national security coordination platform."""

from qalxan import compiled

# Before any compiled module is imported: a stale one must come from its source.
compiled.install()

__version__ = "0.1.0"
