"""Events the catalog publishes (through onewindow.events.services.publish).

Every payload carries ``{"code": 实施编码, "organisation_id": int}``; the aggregate is
("catalog.implementation", 实施编码).

``catalog.item.published`` — plus ``{"version": n, "operation": "CREATE"|"CHANGE",
"previous_version": n | None}``: a version became the one citizens see. Search indexes,
caches of guides and hall screens refresh from it; cases keep the version they hold.
``catalog.item.suspended`` / ``catalog.item.resumed`` / ``catalog.item.cancelled`` — plus
``{"reason": str}``: the item stops or starts accepting applications.
``catalog.item.hall_changed`` — plus ``{"in_hall": bool, "reason": str}``: the item was put
on or taken off the 进驻负面清单.
"""

ITEM_PUBLISHED = "catalog.item.published"
ITEM_SUSPENDED = "catalog.item.suspended"
ITEM_RESUMED = "catalog.item.resumed"
ITEM_CANCELLED = "catalog.item.cancelled"
ITEM_HALL_CHANGED = "catalog.item.hall_changed"
