"""Reading YAML files validated by a pydantic model, with errors that point at lines.

Site files and scenario files are written by hand, so a validation error must say
which key of which file, at which line, is wrong and what is expected there.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TypeVar

import pydantic
import yaml

from jumeau.errors import InputError, RepairWarning

Model = TypeVar("Model", bound=pydantic.BaseModel)


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Map every key path of a composed YAML document to its 1-based line."""
    index = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            index[child] = key.start_mark.line + 1
            index.update({k: v for k, v in _line_index(value, child).items() if k != child})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, path + (i,)))
    return index


def _nearest_line(index: dict[tuple, int], loc: tuple) -> int | None:
    loc = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    while loc:
        if loc in index:
            return index[loc]
        loc = loc[:-1]
    return index.get(())


def read_yaml(path: str | os.PathLike, error: type[Exception] = InputError) -> tuple[object, dict]:
    """Parse a YAML file; return its data and the line index of its keys."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: file not found. Check the path (relative paths are read from {Path.cwd()}).")
    text = _decoded(path, error)
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}{where}: not valid YAML ({problem}). Fix the syntax there.") from None
    return data, (_line_index(node) if node is not None else {})


def _decoded(path: Path, error: type[Exception]) -> str:
    """The file's text: UTF-8, or else Windows-1252 (what French Windows editors save) with a warning."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise error(f"{path} line {line}: byte 0x{raw[exc.start]:02x} is neither UTF-8 nor Windows-1252 text. "
                        "Save the file as UTF-8 (in your editor: Save as… → Encoding: UTF-8).") from None
        warnings.warn(f"{path} is not UTF-8 (first at line {line}); read as Windows-1252 (Latin-1): check its accents, "
                      "and save it as UTF-8 to silence this.", RepairWarning, stacklevel=4)
        return text


def load_model(path: str | os.PathLike, model: type[Model], error: type[Exception] = InputError) -> Model:
    """Read ``path`` and validate it against ``model``; raise ``error`` listing every problem."""
    path = Path(path)
    data, lines = read_yaml(path, error)
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of keys (name: value) at the top level, got {type(data).__name__}.")
    try:
        return model.model_validate(data, context={"base_dir": path.parent})
    except pydantic.ValidationError as exc:
        problems = []
        for item in exc.errors():
            # Drop pydantic's union-member tags such as "literal['A','B']" from the path.
            loc = _yaml_path(lines, tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p)))
            line = _nearest_line(lines, loc)
            key = " → ".join(str(p) for p in loc) or "(top level)"
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                allowed = _allowed_keys(model, tuple(p for p in item["loc"][:-1] if not (isinstance(p, str) and "[" in p)))
                message = "unknown key" + (f" (allowed here: {', '.join(allowed)})" if allowed else "")
            elif item["type"] == "missing":
                described = _described(model, tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p)))
                message += f": {described}" if described else ""
            elif "input" in item:
                message += f" (got {item['input']!r})"
            problems.append(f"  line {line}: {key}: {message}" if line else f"  {key}: {message}")
        raise error(f"{path}: {len(problems)} problem(s):\n" + "\n".join(problems)) from None


def _allowed_keys(model: type[pydantic.BaseModel], loc: tuple) -> list[str]:
    """Keys accepted by the sub-model at ``loc`` (best effort, for error messages)."""
    candidates = _models_at(model, loc)
    return [k for k in candidates[0].model_fields if k != "source"] if len(candidates) == 1 else []


def _described(model: type[pydantic.BaseModel], loc: tuple) -> str | None:
    """The description of the field at ``loc``: what a missing key should hold."""
    candidates = _models_at(model, loc[:-1])
    field = candidates[0].model_fields.get(str(loc[-1])) if len(candidates) == 1 and loc else None
    return field.description if field is not None else None


def _models_at(model: type[pydantic.BaseModel], loc: tuple) -> list[type[pydantic.BaseModel]]:
    """The model(s) a key path leads to (best effort).

    A discriminated union (interventions by ``type``) appears in ``loc`` as its tag,
    which picks the member model.
    """
    candidates: list[type[pydantic.BaseModel]] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        tagged = [m for m in candidates if part in _tags(m)]
        if len(candidates) > 1 and tagged:
            candidates = tagged
            continue
        field = candidates[0].model_fields.get(part) if candidates else None
        if field is None:
            return []
        candidates = _models_in(field.annotation)
    return candidates


def _tags(model: type[pydantic.BaseModel]) -> tuple:
    field = model.model_fields.get("type")
    return getattr(field.annotation, "__args__", ()) if field is not None else ()


def _models_in(annotation: object) -> list[type[pydantic.BaseModel]]:
    """The pydantic models inside an annotation such as ``Foo | str | None`` or ``list[A | B]``."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def _yaml_path(index: dict[tuple, int], loc: tuple) -> tuple:
    """``loc`` without union tags that pydantic inserts but the YAML file does not hold."""
    path: tuple = ()
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, str) and not last and (*path, part) not in index:
            continue
        path = (*path, part)
    return path
