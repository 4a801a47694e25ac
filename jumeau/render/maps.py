"""2-D maps of a Site's layers, with legend, units, scale bar and north arrow.

Colour maps, labels and units come from the layers' declarations (:mod:`jumeau.outputs`,
:data:`jumeau.site.state.LAYERS`), so a layer looks the same in every map, the 3-D
scene and the viewer; land cover takes the class table's own colours (``color``
column, else a qualitative palette).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # the engine draws files, never windows

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import rioxarray  # noqa: F401 - registers the .rio accessor
import shapely
import xarray as xr
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from jumeau.errors import InputError
from jumeau.outputs import DIFFERENCE_CMAP, OUTPUTS, Layer
from jumeau.site.classes import ClassTable
from jumeau.site.state import LAYERS, OVERRIDE_LAYERS, Site

CATEGORICAL = ("landcover", "soil_group")


def declared(name: str) -> Layer | None:
    """The declaration of a site layer or a model output named ``name`` (None if undeclared)."""
    return LAYERS.get(name) or OVERRIDE_LAYERS.get(name) or OUTPUTS.get(name)


def nice_length(span: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k) near a fifth of ``span``."""
    target = span / 5
    power = 10 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def extent(layer: xr.DataArray) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of a layer's cells, edges included, from its cell-centre coordinates."""
    x, y = layer["x"].values, layer["y"].values
    half_x = abs(float(x[1] - x[0])) / 2 if len(x) > 1 else 0.5
    half_y = abs(float(y[1] - y[0])) / 2 if len(y) > 1 else 0.5
    return float(x.min()) - half_x, float(x.max()) + half_x, float(y.min()) - half_y, float(y.max()) + half_y


WORKS_COLOUR = "#d4148c"  # the works' outline: a magenta no layer's colour map uses
WORKS_LABEL = {"fr": "Travaux (et 10 m autour)", "en": "Works (and 10 m around)"}


def draw_map(layer: xr.DataArray, *, outlines: gpd.GeoSeries | None = None, classes: ClassTable | None = None,
             language: str = "fr", cmap: str | None = None, title: str | None = None, vmin: float | None = None,
             vmax: float | None = None, mask_zero: bool | None = None, difference: bool = False,
             works: np.ndarray | None = None, projector: bool = False) -> Figure:
    """A figure of one layer on its grid; returns the matplotlib Figure (the caller saves it).

    ``layer`` is a site layer or a model result (a DataArray with ``x``/``y`` coordinates);
    its declaration (:func:`declared`) gives the colour map, the label and whether zero
    means "nothing" (drawn transparent). ``outlines`` draws building footprints over it;
    ``classes`` names the land-cover classes. ``cmap``, ``vmin``/``vmax`` fix the colour
    scale (to share it between compared maps); ``difference`` marks a difference between
    scenarios (diverging colours, "Δ" in the legend). ``projector`` draws for a room: type
    half as large again and no coordinates (the scale bar and north arrow stay). Numbers
    are written as the ``language`` does (decimal comma in French).
    """
    with plt.rc_context({"font.size": PROJECTOR_FONT_SIZE if projector else 10}):
        return _draw_map(layer, outlines, classes, language, cmap, title, vmin, vmax, mask_zero, difference, works,
                         projector)


PROJECTOR_FONT_SIZE = 16  # points: 24 px at the viewer's 110 dpi, about 25 px on a 1920-pixel-wide screen


def format_number(value: float, decimals: int, language: str = "fr") -> str:
    """``value`` with ``decimals`` decimals as people read it: "1 234,5" in French, "1,234.5" in English.

    >>> format_number(-1234.5, 1, "fr"), format_number(0.25, 2, "en")
    ('−1\u202f234,5', '0.25')
    """
    decimals = max(decimals, 0)
    text = f"{abs(value):,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return ("−" if round(value, decimals) < 0 else "") + text  # no "−0,0"


def number_formatter(language: str) -> FuncFormatter:
    """Axis numbers as ``language`` writes them (the decimals each tick needs)."""
    def formatted(value: float, position=None) -> str:
        shown = f"{value:g}"
        return format_number(value, len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0, language)

    return FuncFormatter(formatted)


def _draw_map(layer: xr.DataArray, outlines, classes, language, cmap, title, vmin, vmax, mask_zero, difference, works,
              projector: bool) -> Figure:
    name = str(layer.name)
    spec = declared(name)
    xmin, xmax, ymin, ymax = extent(layer)
    width = 10.0
    figure, axes = plt.subplots(figsize=(width, width * (ymax - ymin) / (xmax - xmin) + 1.2), layout="constrained")
    values = layer.values
    if name == "landcover" and classes is not None and not difference:
        _categorical_landcover(axes, classes, values, (xmin, xmax, ymin, ymax), language)
    elif spec is not None and spec.flags and not difference:
        labels = dict(enumerate(spec.flags, start=spec.first_flag))
        _categorical(axes, values, (xmin, xmax, ymin, ymax), labels, spec.label(language))
    else:
        if mask_zero is None:
            mask_zero = spec.empty_at_zero if spec is not None else False
        shown = np.ma.masked_where(values == 0, values) if mask_zero else values
        default_cmap = DIFFERENCE_CMAP if difference else spec.cmap if spec is not None else "viridis"
        image = axes.imshow(shown, extent=(xmin, xmax, ymin, ymax), cmap=cmap or default_cmap, vmin=vmin, vmax=vmax,
                            interpolation="nearest")
        if spec is not None:
            label = spec.label(language, units=True)
        else:
            label = f"{layer.attrs.get('long_name', name)} ({layer.attrs.get('units', '')})"
        bar = figure.colorbar(image, ax=axes, shrink=0.8, label=f"Δ {label}" if difference else label)
        bar.ax.yaxis.set_major_formatter(number_formatter(language))
    if outlines is not None and len(outlines) and name not in ("building_height", "building_id"):
        axes.add_collection(_outlines(outlines))
    if works is not None and np.any(works):
        _works_outline(axes, np.asarray(works, dtype=bool), layer, language)
    span = xmax - xmin
    length = nice_length(span)
    axes.add_artist(AnchoredSizeBar(axes.transData, length, f"{length:g} m", "lower left", pad=0.6,
                                    frameon=True, size_vertical=span / 300))
    axes.annotate("N", xy=(0.96, 0.95), xytext=(0.96, 0.86), xycoords="axes fraction", ha="center",
                  fontsize="large", fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black"})
    axes.set_xlim(xmin, xmax)
    axes.set_ylim(ymin, ymax)
    axes.set_title(title or (spec.label(language) if spec is not None else layer.attrs.get("long_name", name)),
                   wrap=True)
    if projector:  # coordinates mean nothing to a room
        axes.set_xticks([])
        axes.set_yticks([])
        return figure
    crs = layer.rio.crs
    axes.set_xlabel(f"x (m, {crs.to_string()})" if crs is not None else "x (m)")
    axes.set_ylabel("y (m)")
    axes.ticklabel_format(useOffset=False, style="plain")
    return figure


def site_map(site: Site, name: str, *, language: str = "fr", **options) -> Figure:
    """A map of one of the site's layers, with its buildings and classes (for ``jumeau map``).

    >>> import jumeau
    >>> figure = site_map(jumeau.demo_site(), "landcover", language="en")
    >>> figure.axes[0].get_title()
    'Quartier de démonstration (fictif) — Land cover'
    """
    if name not in site.grid.data_vars:
        raise InputError(f"No layer {name!r} in the site. Layers: {', '.join(map(str, site.grid.data_vars))}.")
    spec = declared(name)
    title = f"{site.name} — {spec.label(language) if spec is not None else name}"
    return draw_map(site.grid[name], outlines=site.buildings.geometry, classes=site.classes, language=language,
                    title=title, **options)


def _works_outline(axes, works: np.ndarray, layer: xr.DataArray, language: str) -> None:
    """The edge of the works area, with a legend entry."""
    axes.contour(layer["x"].values, layer["y"].values, works.astype("float32"), levels=[0.5], colors=WORKS_COLOUR,
                 linewidths=1.8)
    axes.legend(handles=[Line2D([], [], color=WORKS_COLOUR, linewidth=1.8, label=WORKS_LABEL.get(language,
                                                                                             WORKS_LABEL["en"]))],
                loc="upper left", framealpha=0.85)


def _outlines(footprints: gpd.GeoSeries) -> LineCollection:
    """Every building's rings as one collection: ten times faster to draw than GeoPandas' plot."""
    rings = shapely.get_rings(footprints.values)
    coordinates, index = shapely.get_coordinates(rings, return_index=True)
    segments = np.split(coordinates, np.flatnonzero(np.diff(index)) + 1)
    return LineCollection(segments, colors="black", linewidths=0.3)


def _categorical_landcover(axes, classes: ClassTable, values, extent, language: str) -> None:
    table = classes.table
    present = [code for code in np.unique(values) if code in table.index]
    if "color" in table.columns:
        colours = {code: table.at[code, "color"] for code in present}
    else:
        palette = plt.get_cmap("tab20")
        colours = {code: palette(i % 20) for i, code in enumerate(present)}
    labels = {code: classes.label(code, language) for code in present}
    _draw_classes(axes, values, extent, colours, labels, LAYERS["landcover"].label(language))


def _categorical(axes, values, extent, labels: dict, title: str) -> None:
    palette = plt.get_cmap("cividis", len(labels))
    colours = {code: palette(i) for i, code in enumerate(labels)}
    _draw_classes(axes, values, extent, colours, labels, title)


def _draw_classes(axes, values, extent, colours: dict, labels: dict, title: str) -> None:
    codes = sorted(colours)
    index = np.searchsorted(codes, values)
    cmap = ListedColormap([colours[c] for c in codes])
    axes.imshow(index, extent=extent, cmap=cmap, norm=BoundaryNorm(np.arange(len(codes) + 1) - 0.5, len(codes)),
                interpolation="nearest")
    handles = [Patch(facecolor=colours[c], edgecolor="grey", label=f"{c} {labels[c]}") for c in codes]
    axes.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
