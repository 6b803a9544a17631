"""Shared pytest fixtures (root conftest): the local venue fixtures live in tests/venues/fixtures.py."""

pytest_plugins = ["venues.fixtures"]
