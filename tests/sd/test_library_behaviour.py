"""Every library model shows the behaviour its catalogue promises, by csframework.behaviour.

For each model's default run and for each of its scenarios, the classifier's
pattern for the key variable must be the catalogue's expected behaviour.
"""

from __future__ import annotations

import pytest

from csframework import behaviour
from csframework.sd import library


def _cases():
    for name in library.names():
        about = library.info(name)
        yield pytest.param(name, {}, about.behaviour, id=f"{name}-default")
        for scenario in about.scenarios:
            yield pytest.param(name, scenario.kwargs, scenario.behaviour,
                               id=f"{name}-{scenario.name}")


@pytest.mark.parametrize(("name", "kwargs", "expected"), list(_cases()))
def test_library_model_is_classified_as_its_expected_behaviour(name, kwargs, expected):
    info = library.info(name)
    results = library.load(name, **kwargs).run()
    goal = results[info.goal_variable] if info.goal_variable else None
    found = behaviour.classify(results[info.key_variable], better=info.better, goal=goal)
    assert found.pattern == behaviour.pattern(expected).name, (
        f"{name} {kwargs}: expected {expected}, found {found!r}: {found.explain()}")
