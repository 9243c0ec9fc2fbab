"""Congvan: an open-source e-office platform for Vietnamese state agencies."""

__version__ = "0.1.0"
