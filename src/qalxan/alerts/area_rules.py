"""The rules on an ``<area>`` (CAP 1.2, 3.2.4): polygons, circles, altitude and ceiling."""

from __future__ import annotations

from qalxan.alerts.geometry import Point, format_number, parse_circle, parse_points
from qalxan.alerts.model import Area
from qalxan.alerts.report import Problem
from qalxan.errors import InvalidInput

MIN_POLYGON_PAIRS = 4
RANGE = "WGS 84 range (latitude -90..90, longitude -180..180)"


def area_problems(area: Area, path: str) -> list[Problem]:
    problems = []
    for n, polygon in enumerate(area.polygons, 1):
        problems.extend(_polygon(polygon.text, f"{path}/polygon[{n}]"))
    for n, circle in enumerate(area.circles, 1):
        problems.extend(_circle(circle.text, f"{path}/circle[{n}]"))
    if area.ceiling is not None and area.altitude is None:
        problems.append(Problem(f"{path}/ceiling", "used only together with altitude"))
    elif area.ceiling is not None and area.altitude is not None and area.ceiling < area.altitude:
        problems.append(
            Problem(f"{path}/ceiling", f"{area.ceiling} is below the altitude {area.altitude}")
        )
    return problems


def _pair(point: Point) -> str:
    return f"{format_number(point.lat)},{format_number(point.lon)}"


def _polygon(text: str, path: str) -> list[Problem]:
    try:
        points = parse_points(text, path)
    except InvalidInput as error:
        return [Problem(path, error.message.split(": ", 1)[1])]
    problems = []
    if len(points) < MIN_POLYGON_PAIRS:
        problems.append(
            Problem(
                path,
                f"{len(points)} coordinate pairs; a polygon needs at least {MIN_POLYGON_PAIRS} "
                "(the first repeated at the end)",
            )
        )
    elif points[0] != points[-1]:
        problems.append(
            Problem(
                path,
                f"not closed: the first pair {_pair(points[0])} differs from the last "
                f"{_pair(points[-1])}",
            )
        )
    outside = [point for point in points if not point.in_range]
    if outside:
        problems.append(Problem(path, f"pair {_pair(outside[0])} is outside the {RANGE}"))
    return problems


def _circle(text: str, path: str) -> list[Problem]:
    try:
        center, radius = parse_circle(text, path)
    except InvalidInput as error:
        return [Problem(path, error.message.split(": ", 1)[1])]
    if not center.in_range:
        return [Problem(path, f"centre {_pair(center)} is outside the {RANGE}")]
    if radius < 0:
        return [Problem(path, "the radius must not be negative")]
    return []
