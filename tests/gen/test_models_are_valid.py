"""The random-model generator produces models the front end accepts (else the differential tests
would silently test nothing)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from spec.frontend import load_instance
from tests.gen.models import models


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_typecheck(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("gen") / "m.spec"
    path.write_text(text, encoding="utf-8")
    inst = load_instance(path)
    assert inst.model.actions
    assert any(p.kind.value == "invariant" for p in inst.model.properties)
