"""What the pydantic models of jumeau's YAML files share.

* :class:`Section`: a strict, frozen section: an unknown key is an error (a typo must not
  silently fall back to a default);
* :data:`RelativePath`: a path written in a file, read relative to that file's folder
  (:func:`jumeau.io.yamlfile.load_model` passes the folder as validation context);
* :func:`field_range`: a field's default, bounds, help text and suggested choices, so the
  command line's options and the viewer's sliders are derived from the schema instead
  of repeating it.

>>> from pydantic import Field
>>> class Storm(Section):
...     duration: float = Field(60, gt=0, le=1440, description="Rain duration (minutes).",
...                             json_schema_extra={"choices": (15, 30, 60)})
>>> spec = field_range(Storm, "duration")
>>> spec.default, spec.low, spec.high, spec.low_open, spec.choices
(60, 0.0, 1440.0, True, (15, 30, 60))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import annotated_types
import pydantic
from pydantic import AfterValidator, ConfigDict, ValidationInfo


class Section(pydantic.BaseModel):
    """A section of a YAML file: unknown keys refused, values frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _relative_to_file(path: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base_dir")
    return Path(base) / path if base is not None and not path.is_absolute() else path


RelativePath = Annotated[Path, AfterValidator(_relative_to_file)]


@dataclass(frozen=True)
class FieldRange:
    """A numeric field as a front end shows it (``low``/``high`` None when unbounded).

    ``choices`` are the values a menu offers, ``typical`` the (low, high, step) of a
    slider, when the schema suggests them (``json_schema_extra``).
    """

    name: str
    default: Any
    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    description: str
    choices: tuple | None = None
    typical: tuple[float, float, float] | None = None


def field_range(model: type[pydantic.BaseModel], name: str) -> FieldRange:
    """The default, bounds, help text and suggested values of ``model``'s field ``name``."""
    field = model.model_fields[name]
    low: float | None = None
    high: float | None = None
    low_open = high_open = False
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low, low_open = float(rule.ge), False  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Gt):
            low, low_open = float(rule.gt), True  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Le):
            high, high_open = float(rule.le), False  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Lt):
            high, high_open = float(rule.lt), True  # type: ignore[arg-type]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return FieldRange(name=name, default=field.default, low=low, high=high, low_open=low_open, high_open=high_open,
                      description=field.description or "",
                      choices=tuple(extra["choices"]) if "choices" in extra else None,  # type: ignore[arg-type]
                      typical=tuple(extra["typical"]) if "typical" in extra else None)  # type: ignore[arg-type]
