"""Class ids of the panorama room dataset: the visible class and the amodal layout.

The visible class says what a pixel sees (furniture included); the layout says which room
surface lies behind it with the furniture removed (what room-layout methods are scored on).
Doors and windows are painted on walls, so their layout class is ``wall``.
"""

from __future__ import annotations

#: Visible class per pixel, index = class id (uint8 in renders, int64 in datasets).
CLASS_NAMES: tuple[str, ...] = (
    "floor",
    "wall",
    "ceiling",
    "door/window",
    "bed",
    "table",
    "cabinet",
    "sofa",
    "chair",
)
FLOOR, WALL, CEILING, OPENING, BED, TABLE, CABINET, SOFA, CHAIR = range(len(CLASS_NAMES))

#: Amodal layout class per pixel: 0 floor, 1 wall, 2 ceiling (the first three visible classes).
LAYOUT_NAMES: tuple[str, ...] = ("floor", "wall", "ceiling")
