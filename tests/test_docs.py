"""The site-file documentation keeps up with the schema."""

from __future__ import annotations

import pydantic
from conftest import ROOT

from jumeau.site import schema as sitefile

DOC = (ROOT / "docs" / "site-file.md").read_text(encoding="utf-8")


def _models():
    return [m for m in vars(sitefile).values()
            if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m.__module__ == sitefile.__name__]


def test_every_site_file_key_is_documented():
    missing = sorted({f"{model.__name__}.{key}" for model in _models() for key in model.model_fields
                      if f"{key}:" not in DOC})
    assert not missing, f"document these site-file keys in docs/site-file.md: {missing}"


SCENARIO_DOC = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")


def test_every_scenario_key_and_kind_is_documented():
    from jumeau.flood.forcing import StormForcing
    from jumeau.heat.forcing import HeatForcing
    from jumeau.plan import scenario
    from jumeau.plan.interventions import KINDS

    models = [m for m in vars(scenario).values()
              if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m.__module__ == scenario.__name__]
    models += [StormForcing, HeatForcing]  # the forcing's parts are declared by the models
    missing = sorted({f"{model.__name__}.{key}" for model in models for key in model.model_fields
                      if key not in ("type", "source") and f"{key}" not in SCENARIO_DOC})
    missing += [kind for kind in KINDS if f"`{kind}`" not in SCENARIO_DOC]
    assert not missing, f"document these in docs/scenarios.md: {missing}"


def test_every_server_setting_is_documented():
    """The viewer's settings (environment variables an operator sets) are in the README or the workshop guide."""
    import re

    code = "".join(p.read_text(encoding="utf-8") for p in [ROOT / "app.py", *sorted((ROOT / "viewer").glob("*.py"))])
    docs = "".join((ROOT / p).read_text(encoding="utf-8") for p in ("README.md", "docs/atelier.md"))
    settings = set(re.findall(r"\bJUMEAU_[A-Z_]+\b", code))
    assert {"JUMEAU_PUBLIC_URL", "JUMEAU_DB", "JUMEAU_FACILITATOR_CODE"} <= settings
    assert not sorted(s for s in settings if s not in docs), "document these settings"
