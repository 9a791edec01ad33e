"""The random-model generator produces models the front end accepts (else the differential tests
would silently test nothing)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.gen.models import generated_instance, models


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_typecheck(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    assert inst.model.actions
    assert any(p.kind.value == "invariant" for p in inst.model.properties)
