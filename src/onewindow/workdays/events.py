"""Events the workdays app publishes (through onewindow.events.services.publish).

``workdays.notice.loaded`` — payload ``{"year": 2027}``: a year's official holiday notice
was loaded or marked official. Deadlines computed provisionally across that year (by the
plain weekend rule) should be recomputed by whoever stored them (cases).
"""

NOTICE_LOADED = "workdays.notice.loaded"
