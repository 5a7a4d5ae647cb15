"""catsite.lazy: deferred modules load on first use, and only listed ones may be deferred."""

import pytest

from catsite.lazy import DEFERRED, deferred


def test_only_modules_on_the_list_can_be_deferred():
    assert "json" not in DEFERRED
    with pytest.raises(ValueError):
        deferred("json")


def test_a_deferred_module_answers_with_the_real_modules_attributes():
    import catsite.api.schemas as real

    stand_in = deferred("catsite.api.schemas")
    assert "catsite.api.schemas" in DEFERRED
    assert stand_in.CatSaysSchema is real.CatSaysSchema
