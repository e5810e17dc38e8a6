"""Groundswell: organizing and small-donor platform for grassroots campaigns."""

__version__ = "0.1.0"
