"""The round red seal (印章) printed on notices and decisions, drawn as SVG so its text
stays inside the ring whatever the length of the organisation's name.

The name runs along the upper arc, one glyph at a time, each placed and turned by hand
(no textPath, which not every PDF renderer follows); the glyphs shrink when a long name
needs more of the arc. The seal's purpose (e.g. 行政许可专用章) sits straight across the
lower half, shrunk to fit its chord. A star sits in the middle, as on real seals.
"""

import math
from html import escape

# In viewBox units: the seal is 100 × 100, drawn at ``size_mm``.
_CENTRE = 50.0
_RING = 47.0          # outer ring radius (its stroke is inside the box)
_TEXT_RADIUS = 36.0   # where the name glyphs' centres run
_ARC_DEGREES = 250.0  # the share of the circle the name may use, centred on the top
_MAX_NAME_SIZE = 13.0
_MAX_TITLE_SIZE = 10.0
_FONT = "Noto Serif CJK SC, Noto Sans CJK SC, serif"
RED = "#c00"


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return f'<polygon points="{" ".join(points)}" fill="{RED}"/>'


def name_layout(name: str) -> tuple[float, list[tuple[str, float, float, float]]]:
    """(glyph size, [(glyph, x, y, rotation in degrees)]) for ``name`` along the arc."""
    glyphs = list(name.strip()) or [" "]
    count = len(glyphs)
    # Each glyph gets an equal share of the arc; its size follows the share, so a long
    # name is smaller but never leaves the ring.
    step = min(_ARC_DEGREES / count, 30.0)
    size = min(_MAX_NAME_SIZE, math.radians(step) * _TEXT_RADIUS * 0.92)
    start = -90.0 - step * (count - 1) / 2
    placed = []
    for index, glyph in enumerate(glyphs):
        angle = start + index * step
        x = _CENTRE + _TEXT_RADIUS * math.cos(math.radians(angle))
        y = _CENTRE + _TEXT_RADIUS * math.sin(math.radians(angle))
        placed.append((glyph, x, y, angle + 90.0))
    return size, placed


def seal_svg(name: str, title: str, *, size_mm: float = 36.0) -> str:
    """The seal of ``name`` with ``title`` (e.g. "受理专用章") as inline SVG markup."""
    size, placed = name_layout(name)
    parts = [
        f'<svg class="seal-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" '
        f'width="{size_mm}mm" height="{size_mm}mm" role="img" '
        f'aria-label="{escape(name)}{escape(title)}">',
        f'<circle cx="{_CENTRE}" cy="{_CENTRE}" r="{_RING}" fill="none" stroke="{RED}" '
        f'stroke-width="3"/>',
    ]
    # A glyph is drawn with its baseline 0.35 em below its centre, so its box is centred
    # on the arc point before the turn.
    for glyph, x, y, rotation in placed:
        parts.append(
            f'<text x="{x:.2f}" y="{y + size * 0.35:.2f}" font-size="{size:.2f}" '
            f'font-family="{_FONT}" fill="{RED}" text-anchor="middle" '
            f'transform="rotate({rotation:.2f} {x:.2f} {y:.2f})">{escape(glyph)}</text>'
        )
    parts.append(_star(_CENTRE, _CENTRE - 2, 11))
    title = title.strip()
    if title:
        # Straight across below the star, within the chord at that height.
        baseline = 74.0
        half_chord = math.sqrt(_TEXT_RADIUS ** 2 - (baseline - _CENTRE) ** 2)
        title_size = min(_MAX_TITLE_SIZE, 2 * half_chord * 0.9 / len(title))
        parts.append(
            f'<text x="{_CENTRE}" y="{baseline:.2f}" font-size="{title_size:.2f}" '
            f'font-family="{_FONT}" fill="{RED}" text-anchor="middle">{escape(title)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
