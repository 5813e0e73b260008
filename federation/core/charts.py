"""Charts drawn on the server as inline SVG: no JavaScript, no library, no download. They
print, scale to a phone's width (viewBox) and carry their figures as text, so a screen reader
and a printed page read the same numbers as the bars."""

from dataclasses import dataclass, field

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

BAR = 22  # height of one bar's row
LABEL = 96  # width of the labels' column
WIDTH = 480
COLOURS = ("#417690", "#c17d11")


@dataclass
class BarChart:
    """One bar per row: (label, value, url or None); `unit` follows each value (e.g. "%")."""

    title: str
    rows: list[tuple[str, float, str | None]] = field(default_factory=list)
    unit: str = ""
    maximum: float | None = None  # 100 for a percentage; the largest value otherwise

    def svg(self) -> SafeString:
        top = max([self.maximum or 0, *(value for _label, value, _url in self.rows)]) or 1
        span = WIDTH - LABEL - 64
        height = BAR * len(self.rows) + 8
        bars = []
        unit = escape(self.unit)
        # Plain strings of escaped parts: a county's chart is 156 bars, and format_html's
        # escaping of each of a bar's fourteen arguments took a tenth of the home page.
        for index, (label, value, url) in enumerate(self.rows):
            y = 4 + index * BAR
            width = round(span * value / top, 1)
            text, shown = escape(label), escape(value)
            bar = (
                f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end">{text}</text>'
                f'<rect x="{LABEL}" y="{y + 3}" width="{width}" height="{BAR - 6}" fill="{COLOURS[0]}">'
                f"<title>{text}：{shown}{unit}</title></rect>"
                f'<text x="{LABEL + width + 4}" y="{y + 15}">{shown}{unit}</text>'
            )
            bars.append(f'<a href="{escape(url)}">{bar}</a>' if url else bar)
        return format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" font-size="12">{}</svg>',
            WIDTH,
            height,
            self.title,
            SafeString("".join(bars)),
        )


@dataclass
class LineChart:
    """Lines over the same x labels (e.g. months): series are (name, [values])."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    unit: str = ""

    def svg(self) -> SafeString:
        left, right, top, bottom, height = 56, 12, 24, 28, 220
        top_value = max([value for _name, values in self.series for value in values] or [0]) or 1
        step = (WIDTH - left - right) / max(len(self.labels) - 1, 1)
        plot = height - top - bottom

        def point(index, value):
            return round(left + index * step, 1), round(top + plot * (1 - value / top_value), 1)

        parts = [
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>', left, top + plot, WIDTH - right, top + plot
            ),
            format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', left - 4, top + 4, top_value),
            format_html('<text x="{}" y="{}" text-anchor="end">0</text>', left - 4, top + plot + 4),
            format_html_join(
                "",
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                ((point(i, 0)[0], height - 8, label) for i, label in enumerate(self.labels)),
            ),
        ]
        for number, (name, values) in enumerate(self.series):
            colour = COLOURS[number % len(COLOURS)]
            points = " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values)))
            parts.append(
                format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', points, colour)
            )
            parts.append(
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} {}：{}{}</title></circle>',
                    ((*point(i, v), colour, self.labels[i], name, v, self.unit) for i, v in enumerate(values)),
                )
            )
            parts.append(
                format_html(
                    '<rect x="{}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13">{}</text>',
                    left + number * 120,
                    colour,
                    left + number * 120 + 14,
                    name,
                )
            )
        return format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" font-size="12">{}</svg>',
            WIDTH,
            height,
            self.title,
            SafeString("".join(parts)),
        )
