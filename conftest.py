"""Root conftest: shared fixtures live in onewindow.testing so every test tree sees them."""

pytest_plugins = ["onewindow.testing"]
