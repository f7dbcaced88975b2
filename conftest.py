"""Root conftest: shared fixtures live in onewindow.testing (and the world of a service
centre in onewindow.testing.world) so every test tree sees them."""

pytest_plugins = ["onewindow.testing", "onewindow.testing.world"]
