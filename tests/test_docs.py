"""The site-file documentation keeps up with the schema."""

from __future__ import annotations

import pydantic

from jumeau.io import sitefile
from jumeau.paths import DATA_DIR

DOC = (DATA_DIR.parent / "docs" / "site-file.md").read_text(encoding="utf-8")


def _models():
    return [m for m in vars(sitefile).values()
            if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m.__module__ == sitefile.__name__]


def test_every_site_file_key_is_documented():
    missing = sorted({f"{model.__name__}.{key}" for model in _models() for key in model.model_fields
                      if f"{key}:" not in DOC})
    assert not missing, f"document these site-file keys in docs/site-file.md: {missing}"


SCENARIO_DOC = (DATA_DIR.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")


def test_every_scenario_key_and_kind_is_documented():
    from jumeau import scenario
    from jumeau.interventions import KINDS

    models = [m for m in vars(scenario).values()
              if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m.__module__ == scenario.__name__]
    missing = sorted({f"{model.__name__}.{key}" for model in models for key in model.model_fields
                      if key not in ("type", "source") and f"{key}" not in SCENARIO_DOC})
    missing += [kind for kind in KINDS if f"`{kind}`" not in SCENARIO_DOC]
    assert not missing, f"document these in docs/scenarios.md: {missing}"
