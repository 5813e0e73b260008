"""A fifth app that only the test suite installs (tests.plugin.settings): it plugs into the
core through federation.core.registry alone, as a new app of the project would."""
