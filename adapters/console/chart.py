"""Bookings and hand-offs per day as a small bar chart: inline SVG drawn by the server."""

from __future__ import annotations

from markupsafe import Markup, escape

from adapters.console.i18n import Catalogue
from states.console import DayCount

WIDTH, HEIGHT = 560, 180
TOP, BOTTOM, LEFT = 18, 28, 8
BOOKINGS_COLOUR, HANDOFFS_COLOUR = "#2f7d4f", "#c46a1b"


def daily_chart(days: list[DayCount], t: Catalogue) -> Markup:
    """One group of bars per day: bookings, and hand-offs where they are counted."""
    if not days:
        return Markup("")
    counted = any(day.handoffs is not None for day in days)
    peak = max(max(d.bookings, d.handoffs or 0) for d in days) or 1
    slot = (WIDTH - LEFT * 2) / len(days)
    bar = slot * (0.38 if counted else 0.7)
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(t("chart_title"))}">',
        f'<line x1="{LEFT}" y1="{TOP + plot}" x2="{WIDTH - LEFT}" y2="{TOP + plot}" '
        'stroke="#9aa4ae" stroke-width="1"/>',
    ]
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - (bar * 2 if counted else bar)) / 2
        series = [(day.bookings, BOOKINGS_COLOUR, "chart_bookings")]
        if counted:
            series.append((day.handoffs or 0, HANDOFFS_COLOUR, "chart_handoffs"))
        for n, (value, colour, key) in enumerate(series):
            height = plot * value / peak
            left, top = x + n * bar, TOP + plot - height
            parts.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{day.day:%d.%m}: {value} {escape(t(key))}</title></rect>'
            )
            if value:
                parts.append(
                    f'<text x="{left + bar / 2:.1f}" y="{top - 4:.1f}" font-size="11" '
                    f'text-anchor="middle" fill="#333">{value}</text>'
                )
        if i % 2 == (len(days) - 1) % 2 or len(days) <= 8:  # every other label, the last one shown
            parts.append(
                f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{HEIGHT - 10}" font-size="11" '
                f'text-anchor="middle" fill="#555">{day.day:%d.%m}</text>'
            )
    parts.append("</svg>")
    legend = f'<span class="key bookings"></span>{escape(t("chart_bookings"))}'
    if counted:
        legend += f' <span class="key handoffs"></span>{escape(t("chart_handoffs"))}'
    else:
        legend += f' <span class="muted">· {escape(t("chart_handoffs_na"))}</span>'
    return Markup("".join(parts) + f'<p class="legend">{legend}</p>')
