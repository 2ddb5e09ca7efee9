"""Charts of the National Threat Assessment as inline SVG, drawn on the server: a weekly bar
chart per threat, the 5x5 risk matrix, and a choropleth of Azerbaijan's districts.

No script and no chart library: the report must render the same in a browser and in the PDF,
offline. Every chart says what it shows in a ``<title>`` (read out by screen readers, shown on
hover). The SVG is built from literal templates with :meth:`Markup.format`, which escapes every
value put into them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from math import ceil

from markupsafe import Markup

from qalxan.geo.svg_map import country_map
from qalxan.picture.register import Matrix

# Threat levels 1-5 (low ... critical), light enough to print text on.
LEVEL_FILL = {1: "#d5ead3", 2: "#fbf0b0", 3: "#fdd38a", 4: "#f5a25d", 5: "#d9534f"}
LEVEL_TEXT = {1: "#1b1b1b", 2: "#1b1b1b", 3: "#1b1b1b", 4: "#1b1b1b", 5: "#ffffff"}
# Incidents per district: none, then up to five classes (ColorBrewer OrRd).
SHADES = ("#f4f4f4", "#fee8c8", "#fdc38d", "#fc8d59", "#e34a33", "#b30000")
BAR, BAR_IN_PERIOD = "#9fb3c8", "#1f4e79"


def _svg(cls: str, width: float, height: float, title: str, body: Markup) -> Markup:
    head = Markup(
        '<svg class="{cls}" viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, sans-serif">'
    ).format(cls=cls, w=width, h=height)
    return head + Markup("<title>{}</title>{}</svg>").format(title, body)


def trend(label: str, weeks: Sequence[tuple[date, int]], period: tuple[date, date]) -> Markup:
    """Incidents per week as bars, those of weeks that overlap ``period`` (first and last day)
    dark; ``label`` names the threat in the chart's title."""
    width, height, top = 240.0, 56.0, 12.0
    most = max((n for _, n in weeks), default=0)
    step = width / max(len(weeks), 1)
    first, last = period
    bar = Markup(
        '<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">'
        "<title>week of {week}: {n}</title></rect>"
    )
    bars = []
    for i, (monday, count) in enumerate(weeks):
        tall = (height - top) * count / most if most else 0.0
        inside = monday <= last and monday + timedelta(days=6) >= first
        fill = BAR_IN_PERIOD if inside else BAR
        bars.append(
            bar.format(
                x=i * step, y=height - tall, w=step - 1, h=tall, fill=fill, week=monday, n=_n(count)
            )
        )
    axis = Markup(
        '<line x1="0" y1="{y:.1f}" x2="{w:.0f}" y2="{y:.1f}" stroke="#777" stroke-width="0.5"/>'
        '<text x="0" y="8" font-size="8" fill="#555">{note}</text>'
    ).format(y=height - 0.5, w=width, note=f"max {most} a week" if most else "no incidents")
    span = f"{weeks[0][0]} to {weeks[-1][0]}" if weeks else "no weeks"
    title = f"{label}: incidents per week, {span}; the period's weeks dark"
    return _svg("trend", width, height, title, axis + Markup("").join(bars))


def risk_matrix(matrix: Matrix, labels: Mapping[str, str]) -> Markup:
    """The 5x5 matrix, most likely on top, impact growing to the right; each cell coloured by
    the level its score gives and listing its threats by ``labels`` (threat id -> short code)."""
    cell, left, bottom = 72.0, 40.0, 34.0
    size = 5 * cell
    box = Markup(
        '<g><title>{title}</title><rect x="{x:.0f}" y="{y:.0f}" width="{c:.0f}" '
        'height="{c:.0f}" fill="{fill}" stroke="#fff" stroke-width="2"/>'
        '<text x="{sx:.0f}" y="{sy:.0f}" font-size="8" fill="#555">{score}</text>'
    )
    name = Markup(
        '<text x="{x:.0f}" y="{y:.0f}" font-size="10" font-weight="bold" '
        'text-anchor="middle" fill="{colour}">{text}</text>'
    )
    parts = []
    for c in matrix.cells:
        x, y = left + (c.impact - 1) * cell, (5 - c.likelihood) * cell
        names = [labels.get(t, t) for t in c.threats]
        what = ", ".join(names) if names else "no threat"
        title = (
            f"likelihood {c.likelihood} x impact {c.impact} = {c.score}, level {c.level}: {what}"
        )
        fill = LEVEL_FILL[c.level]
        parts.append(
            box.format(title=title, x=x, y=y, c=cell, fill=fill, sx=x + 4, sy=y + 11, score=c.score)
        )
        for n, line in enumerate(_lines(names, 2)):
            colour = LEVEL_TEXT[c.level]
            parts.append(name.format(x=x + cell / 2, y=y + 30 + n * 13, colour=colour, text=line))
        parts.append(Markup("</g>"))
    axis = Markup(
        '<text x="{lx:.0f}" y="{ly:.0f}" font-size="11" text-anchor="end">{n}</text>'
        '<text x="{ix:.0f}" y="{iy:.0f}" font-size="11" text-anchor="middle">{n}</text>'
    )
    for n in range(1, 6):
        parts.append(
            axis.format(
                lx=left - 8,
                ly=(5 - n) * cell + cell / 2 + 4,
                ix=left + (n - 1) * cell + cell / 2,
                iy=size + 14,
                n=n,
            )
        )
    parts.append(
        Markup(
            '<text x="{x:.0f}" y="{y:.0f}" font-size="11" text-anchor="middle">impact →</text>'
            '<text transform="translate(12 {m:.0f}) rotate(-90)" font-size="11" '
            'text-anchor="middle">likelihood →</text>'
        ).format(x=left + size / 2, y=size + bottom - 4, m=size / 2)
    )
    region = matrix.region or "national"
    title = f"Risk matrix ({region}): likelihood by impact, 1-5 each"
    return _svg("matrix", left + size, size + bottom, title, Markup("").join(parts))


def _lines(names: Sequence[str], per_line: int) -> list[str]:
    """Short codes in lines of ``per_line``; more than three lines end in a count."""
    lines = [" ".join(names[i : i + per_line]) for i in range(0, len(names), per_line)]
    if len(lines) > 3:
        lines = [*lines[:2], f"+{len(names) - 2 * per_line} more"]
    return lines


def breaks(values: Sequence[int]) -> tuple[int, ...]:
    """The lowest count of each shade above nothing: up to five classes growing geometrically
    up to the largest count (1, 3, 7, 16, 40 for a largest of 100), so that a few busy
    districts do not wash out the rest."""
    most = max(values, default=0)
    if most <= 0:
        return ()
    return tuple(sorted({ceil(most ** (k / 5) - 1e-9) for k in range(5)}))


def shade(count: int, cuts: Sequence[int]) -> int:
    """The shade (0: none) of ``count`` among the classes starting at ``cuts``."""
    return sum(count >= cut for cut in cuts)


def legend_labels(cuts: Sequence[int], most: int) -> list[str]:
    """``0``, then each class: ``1``, ``2-4``, ..., up to ``most``."""
    labels = ["0"]
    for n, cut in enumerate(cuts):
        upper = cuts[n + 1] - 1 if n + 1 < len(cuts) else most
        labels.append(str(cut) if upper <= cut else f"{cut}-{upper}")
    return labels


def _n(count: int) -> str:
    return f"{count} incident" if count == 1 else f"{count} incidents"


def choropleth(counts: Mapping[str, int]) -> Markup:
    """Azerbaijan's districts shaded by ``counts`` (ISO 3166-2:AZ code -> count), with a
    legend; each district's title gives its name and count."""
    drawn = country_map()
    frame = drawn.frame
    cuts = breaks(list(counts.values()))
    most = max(counts.values(), default=0)
    path = Markup('<path d="{d}" fill="{fill}" data-code="{code}"><title>{title}</title></path>')
    paths = Markup("").join(
        path.format(
            d=d.path,
            fill=SHADES[shade(counts.get(d.code, 0), cuts)],
            code=d.code,
            title=f"{d.name('en')}: {_n(counts.get(d.code, 0))}",
        )
        for d in drawn.districts
    )
    key = Markup(
        '<rect x="{x}" y="{y:.0f}" width="26" height="22" fill="{fill}" stroke="#888"/>'
        '<text x="{tx}" y="{ty:.0f}" font-size="22">{text}</text>'
    )
    base = frame.height + 24
    keys = Markup("").join(
        key.format(x=n * 150, y=base - 18, fill=SHADES[n], tx=n * 150 + 34, ty=base, text=text)
        for n, text in enumerate(legend_labels(cuts, most))
    )
    body = Markup(
        '<g stroke="#666" stroke-width="0.8" fill-rule="evenodd">{}</g><g class="legend">{}</g>'
    ).format(paths, keys)
    title = "Map of Azerbaijan's districts shaded by their incidents in the period"
    return _svg("map", frame.width, frame.height + 40, title, body)
