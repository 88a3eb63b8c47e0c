"""Library archetype models draw their causal loop diagram in the archetype's canonical layout."""

from __future__ import annotations

import numpy as np
import pytest

from csframework import archetypes, library
from csframework.cld.draw import layout
from csframework.sd import StockFlowModel

ARCHETYPE_MODELS = [n for n in library.names() if library.info(n).archetype]

# The models whose diagram the archetype finder recognises today: each must be placed.
PLACED = {"car dealer inventory", "oil", "fishery", "limits to growth", "fixes that fail",
          "shifting the burden", "eroding goals", "escalation", "success to the successful"}


@pytest.mark.parametrize("name", ARCHETYPE_MODELS)
def test_role_variables_sit_where_the_archetype_puts_them(name):
    archetype = archetypes.get(library.info(name).archetype)
    cld = library.load(name).to_cld()
    matches = archetypes.find(cld, archetypes=[archetype])
    if name in PLACED:
        assert matches, f"{name}: the archetype is no longer found in the model's diagram"
    if not matches:
        # placed by hand in the archetype's shape; tests/test_archetypes.py checks the shapes
        assert set(cld.positions) == set(library.load(name).positions), name
        assert len(cld.positions) >= 3, name
        return
    canonical = archetype.positions
    roles = {variable: role for role, variable in matches[0].role_pairs if role in canonical}
    assert len(roles) >= 3
    assert dict(cld.positions) == {v: canonical[r] for v, r in roles.items()}
    # The drawing keeps their relative placement: one uniform scale and a shift.
    drawn = layout(cld)
    names = sorted(roles)
    want = np.array([canonical[roles[v]] for v in names])
    got = np.array([drawn[v] for v in names])
    want -= want.mean(axis=0)
    got -= got.mean(axis=0)
    scale = np.linalg.norm(got) / np.linalg.norm(want)
    assert scale > 0
    np.testing.assert_allclose(got, want * scale, atol=0.02)


def test_a_copy_keeps_the_canonical_layout():
    model = library.load("escalation").copy()
    assert model.to_cld().positions == library.load("escalation").to_cld().positions


def test_other_models_are_laid_out_automatically():
    assert not library.load("bank account").to_cld().positions
    model = StockFlowModel("My fixes", stop=10)
    model.stock("problem", 10, outflows=["fixing"])
    model.flow("fixing", "0.1 * problem")
    assert not model.to_cld().positions
