"""Bar charts as SVG, drawn on the server: the dashboard shows them inline and PDF reports print them.

No JavaScript and no style attributes (the Content-Security-Policy allows neither): geometry and colours
are SVG presentation attributes, and every label goes through ``format_html``, so an organization's
name is text, never markup.
"""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH = 640
LABEL_WIDTH = 170  # the labels' column, left of the bars
VALUE_WIDTH = 60  # room for the value printed after a bar
BAR = 12
BAR_GAP = 2
ROW_GAP = 9
LEGEND = 24
AXIS = 20
LABEL_CHARS = 11
COLOURS = ("#b71c1c", "#e0a100", "#2e7d32", "#1565c0")
FONT = "Noto Sans CJK SC, sans-serif"


def _short(label):
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text_width(text, size):
    """Roughly how wide ``text`` is set at ``size``: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.6 for char in str(text))


def _number(value):
    return f"{value:g}"


def rows_fitting(series_count, height):
    """How many rows of ``series_count`` bars each a chart holds within ``height`` (in its own units: WIDTH wide)."""
    group = series_count * BAR + (series_count - 1) * BAR_GAP + ROW_GAP
    return max(1, (height - LEGEND - AXIS) // group)


def bar_chart(title, series, rows, maximum=100, unit="%"):
    """A horizontal bar chart: ``series`` names the bars of each row (e.g. progress, fulfilled), ``rows`` are
    ``(label, values)`` with one value per series (None: no figure, printed as a dash). Returns safe SVG."""
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / maximum
    group = len(series) * BAR + (len(series) - 1) * BAR_GAP
    height = LEGEND + len(rows) * (group + ROW_GAP) + AXIS
    parts = []
    x = LABEL_WIDTH
    for name, colour in zip(series, COLOURS, strict=False):
        parts.append(
            format_html(
                '<rect x="{}" y="6" width="10" height="10" fill="{}"/><text x="{}" y="15" font-size="11">{}</text>',
                x,
                colour,
                x + 14,
                name,
            )
        )
        x += 14 + round(_text_width(name, 11)) + 16
    bottom = height - AXIS
    for step in range(0, 5):
        tick = maximum * step / 4
        tx = LABEL_WIDTH + tick * scale
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="10" fill="#666" text-anchor="middle">{}{}</text>',
                tx,
                LEGEND - 2,
                tx,
                bottom,
                tx,
                bottom + 14,
                _number(tick),
                unit,
            )
        )
    y = LEGEND
    for label, values in rows:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end"><title>{}</title>{}</text>',
                LABEL_WIDTH - 6,
                y + group / 2 + 4,
                label,
                _short(label),
            )
        )
        for value, colour in zip(values, COLOURS, strict=False):
            if value is None:
                parts.append(
                    format_html('<text x="{}" y="{}" font-size="10" fill="#666">—</text>', LABEL_WIDTH + 3, y + 10)
                )
            else:
                width = min(value, maximum) * scale
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                        '<text x="{}" y="{}" font-size="10" fill="#333">{}{}</text>',
                        LABEL_WIDTH,
                        y,
                        round(width, 1),
                        BAR,
                        colour,
                        round(LABEL_WIDTH + width + 3, 1),
                        y + 10,
                        _number(value),
                        unit,
                    )
                )
            y += BAR + BAR_GAP
        y += ROW_GAP - BAR_GAP
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'font-family="{}" role="img" aria-label="{}"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        FONT,
        title,
        title,
        mark_safe("".join(parts)),  # each part was built by format_html
    )
