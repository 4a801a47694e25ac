"""The legend laid over a 3-D scene: the colour bar of the coloured layer and the key of the works' line.

The legend is drawn by matplotlib with the same colour map and range as the scene, its
title and numbers in the page's language (decimal comma in French). It is an image laid
at the bottom right of the HTML page (:meth:`Legend.html`) and of the screenshots
(:meth:`Legend.draw_over`), not a VTK actor: the vtk.js page would otherwise draw its
own bar (English numbers, serif, across the whole height).

>>> ColourBar("viridis", (0.0, 1.0), "Depth (m)", "fr").ticks()[:2]
[(0.0, '0,0'), (0.2, '0,2')]
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from jumeau.render.maps import WORKS_COLOUR, WORKS_LABEL, format_number

LEGEND_SIZE = (400, 84)  # colour bar overlay, CSS pixels (one more row of WORKS_ROW_PX for the works' line)
WORKS_ROW_PX = 26
LEGEND_MARGIN_PX = 10


@dataclass(frozen=True)
class ColourBar:
    """What the scene's colour bar shows: the colour map and range of the coloured layer, titled."""

    cmap: str
    clim: tuple[float, float]
    title: str
    language: str = "fr"

    def ticks(self, count: int = 6) -> list[tuple[float, str]]:
        """About ``count`` round values in the range, each with its text in the bar's language."""
        low, high = self.clim
        located = np.asarray(MaxNLocator(nbins=count, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))
        tolerance = 1e-9 * (high - low)
        values = located[(located >= low - tolerance) & (located <= high + tolerance)]
        step = float(np.min(np.diff(values))) if len(values) > 1 else high - low
        decimals = 0
        while decimals < 6 and any(abs(round(v, decimals) - v) > 1e-6 * step for v in values):
            decimals += 1
        return [(float(v), format_number(float(v), decimals, self.language)) for v in values]


@dataclass(frozen=True)
class Legend:
    """The overlay of a scene: its colour bar and/or the line of the works, in ``language``."""

    colour_bar: ColourBar | None
    works: bool
    language: str = "fr"

    @property
    def works_label(self) -> str:
        return WORKS_LABEL.get(self.language, WORKS_LABEL["en"])

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in CSS pixels (in pixels of a VIEWER_SIZE frame)."""
        return LEGEND_SIZE[0], (LEGEND_SIZE[1] if self.colour_bar else 8) + (WORKS_ROW_PX if self.works else 0)

    def box(self, frame: Sequence[float]) -> tuple[float, float, float, float]:
        """Where the legend lies in a ``frame`` of (width, height) pixels: x0, y0, x1, y1 (y down)."""
        width, height = self.size
        right_edge, bottom_edge = frame[0] - LEGEND_MARGIN_PX, frame[1] - LEGEND_MARGIN_PX
        return right_edge - width, bottom_edge - height, right_edge, bottom_edge

    def figure(self, scale: float = 1.0) -> Figure:
        """The legend drawn by matplotlib, ``scale`` times :attr:`size` pixels."""
        width, height = self.size
        figure = Figure(figsize=(width / 100, height / 100), dpi=100 * scale)
        figure.patch.set_facecolor((1, 1, 1, 0.88))
        canvas = FigureCanvasAgg(figure)
        top = height
        if self.works:
            row = (height - WORKS_ROW_PX / 2 - 2) / height
            figure.add_artist(_works_key(figure, (12 / width, 40 / width), row))
            figure.text(48 / width, row, self.works_label, fontsize=10.5, va="center", color="#202020")
            top -= WORKS_ROW_PX
        if self.colour_bar is not None:
            bar = self.colour_bar
            axes = figure.add_axes((12 / width, (top - 46) / height, (width - 24) / width, 15 / height))
            mappable = ScalarMappable(norm=Normalize(*bar.clim), cmap=colormaps[bar.cmap])
            colorbar = figure.colorbar(mappable, cax=axes, orientation="horizontal")
            colorbar.outline.set_linewidth(0.6)
            ticks = bar.ticks()
            colorbar.set_ticks([value for value, _ in ticks], labels=[text for _, text in ticks])
            axes.tick_params(labelsize=10.5, length=3, pad=2, colors="#202020")
            text = figure.text(0.5, (top - 8) / height, bar.title, fontsize=11.5, ha="center", va="top",
                               color="#202020", fontweight="bold")
            # A long title gets a smaller font, down to 8 pt, rather than a second line over the bar.
            size = 11.5
            while text.get_window_extent(canvas.get_renderer()).width > (width - 16) * scale and size > 8:
                size -= 0.5
                text.set_fontsize(size)
        return figure

    def image(self, scale: float = 1.0) -> np.ndarray:
        """The legend as an RGBA image (rows from the top)."""
        figure = self.figure(scale)
        canvas = figure.canvas
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[attr-defined]  # Agg canvas

    def png(self, scale: float = 2.0) -> bytes:
        """The legend as a PNG (twice its CSS size by default, sharp on dense screens)."""
        buffer = io.BytesIO()
        self.figure(scale).savefig(buffer, format="png", dpi=100 * scale)
        return buffer.getvalue()

    def html(self) -> str:
        """An absolutely positioned <img> at the bottom right of the page, over the vtk.js view.

        The vtk.js viewer empties the page's body when it starts (after the page is
        parsed): a script puts the image back once it has.
        """
        width, height = self.size
        alt = self.colour_bar.title if self.colour_bar else self.works_label
        data = {"cmap": self.colour_bar.cmap, "clim": " ".join(map(repr, self.colour_bar.clim))} if self.colour_bar else {}
        attributes = " ".join(f'data-{key}="{html.escape(value)}"' for key, value in data.items())
        return (f'<img id="jumeau-legend" alt="{html.escape(alt)}" {attributes} width="{width}" height="{height}" '
                f'style="position:absolute;right:{LEGEND_MARGIN_PX}px;bottom:{LEGEND_MARGIN_PX}px;z-index:10;'
                'pointer-events:none;border-radius:4px;box-shadow:0 0 3px rgba(0,0,0,.25)" '
                f'src="data:image/png;base64,{base64.b64encode(self.png()).decode()}">\n'
                '<script>\n(function () {\n  const legend = document.getElementById("jumeau-legend");\n'
                '  document.addEventListener("DOMContentLoaded", () => {\n'
                '    if (!legend.isConnected) document.body.appendChild(legend);\n  });\n})();\n</script>\n')

    def draw_over(self, image: np.ndarray, scale: float) -> None:
        """Lay the legend, ``scale`` times its size, at the bottom right of the RGB ``image`` (changed in place)."""
        height, width = image.shape[:2]
        overlay = self.image(scale)[:height, :width].astype("float64")
        margin = round(LEGEND_MARGIN_PX * scale)
        top, left = max(height - margin - overlay.shape[0], 0), max(width - margin - overlay.shape[1], 0)
        region = image[top:top + overlay.shape[0], left:left + overlay.shape[1]]
        overlay = overlay[:region.shape[0], :region.shape[1]]
        alpha = overlay[..., 3:] / 255.0
        region[...] = np.round(overlay[..., :3] * alpha + region * (1 - alpha))


def _works_key(figure: Figure, xs: tuple[float, float], y: float) -> Line2D:
    """A thick works-coloured line in figure coordinates (the works' legend key)."""
    return Line2D(xs, (y, y), transform=figure.transFigure, color=WORKS_COLOUR, linewidth=4,
                  solid_capstyle="round")
