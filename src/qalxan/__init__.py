"""Qalxan: a national security coordination platform."""

__version__ = "0.1.0"
