"""The public-surface contract (scripts/import_contracts.py) finds an app reaching into
another app's internals, and lets through what DESIGN.md allows."""

import grimp
from scripts.import_contracts import PublicSurfaceContract


def contract(**options) -> PublicSurfaceContract:
    defaults = {
        "apps": ["shop.orders", "shop.catalog", "shop.web", "shop.common"],
        "public": ["services", "models"],
        "public_modules": ["shop.catalog.guides"],
        "interface_modules": ["api"],
        "interfaces": ["shop.web"],
        "open_packages": ["shop.common"],
    }
    return PublicSurfaceContract(name="public", session_options={},
                                 contract_options={**defaults, **options})


def graph(*edges: tuple[str, str]):
    g = grimp.ImportGraph()
    for importer, imported in edges:
        g.add_import(importer=importer, imported=imported, line_number=3,
                     line_contents=f"import {imported}")
    return g


def test_reaching_into_another_apps_internals_breaks_the_contract():
    check = contract().check(graph(("shop.orders.services", "shop.catalog.pricing")),
                             verbose=False)
    assert not check.kept
    assert check.metadata["broken"] == [("shop.orders.services", "shop.catalog.pricing", (3,))]


def test_public_modules_interfaces_own_app_base_and_tests_are_allowed():
    check = contract().check(graph(
        ("shop.orders.services", "shop.catalog.services"),
        ("shop.orders.services", "shop.catalog.models"),
        ("shop.orders.services", "shop.catalog.guides"),
        ("shop.orders.services", "shop.orders.pricing"),
        ("shop.orders.services", "shop.common.ids"),
        ("shop.web.urls", "shop.orders.api"),
        ("shop.orders.tests.test_x", "shop.catalog.pricing"),
    ), verbose=False)
    assert check.kept, check.metadata


def test_only_interfaces_may_mount_another_apps_router():
    check = contract().check(graph(("shop.orders.services", "shop.catalog.api")),
                             verbose=False)
    assert not check.kept
