"""The parameters of a run: constants and lookups set for one run or an ensemble.

A constant given a sequence of numbers runs one member per value, all in one
vectorised pass; several sequences must have the same length and are zipped
(member i takes the i-th value of each), not combined as a product.
:class:`MemberParameters` tells each member's parameters.

Examples
--------
>>> import numpy as np
>>> members = MemberParameters({"k": 0.5}, {"rate": np.array([1.0, 2.0])})
>>> members
[{'k': 0.5, 'rate': 1.0}, {'k': 0.5, 'rate': 2.0}]
>>> describe_member(members[1])
'k = 0.5, rate = 2'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import ModelError, SimulationError, UnknownNameError
from csframework.sd.elements import article
from csframework.sd.lookups import check_points, scalar_lookup, vector_lookup

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.engine import CompiledModel

__all__ = ["MemberParameters", "describe_member", "lookup_functions", "parameters"]


def parameters(compiled: CompiledModel, params: Mapping[str, Any] | None):
    """The constants, lookup functions, member count (None for one run) and member
    parameters of a run of `compiled` with `params` (checked, naming what is wrong).
    """
    consts = list(compiled.constant_values)
    index = {name: i for i, name in enumerate(compiled.constants)}
    ensemble: dict[str, np.ndarray] = {}
    given: dict[str, float] = {}
    for name, value in (params or {}).items():
        if name in compiled.lookups:
            continue
        if name not in index:
            if name in compiled.model:
                kind = compiled.model[name].kind
                raise ModelError(f"params of model {compiled.model_name!r} can set constants "
                                 f"and lookups, but {name!r} is {article(kind)} {kind}")
            raise UnknownNameError(name, tuple(compiled.constants) + tuple(compiled.lookups),
                                   kind="constant",
                                   where=f"the params of model {compiled.model_name!r}")
        if isinstance(value, str | bytes) or value is None:
            raise ModelError(f"params: {name!r} must be a number or a sequence of numbers, "
                             f"not {value!r}")
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"params: {name!r} must be a number or a sequence of numbers, "
                             f"not {value!r}") from None
        if array.ndim > 1 or (array.ndim == 1 and array.size == 0):
            raise ModelError(f"params: {name!r} must be a number or a non-empty flat "
                             f"sequence of numbers, not {value!r}")
        if not np.isfinite(array).all():
            raise SimulationError(f"params: constant {name!r} of model "
                                  f"{compiled.model_name!r} is given a value that is not "
                                  f"finite ({value!r}) at time {compiled.start:g}")
        if array.ndim == 1:
            ensemble[name] = array
        else:
            given[name] = consts[index[name]] = float(array)
    lookups = lookup_functions(compiled, params, vector=bool(ensemble))
    if not ensemble:
        return tuple(consts), lookups, None, ({**given, **_lookup_params(compiled, params)},)
    sizes = {name: len(a) for name, a in ensemble.items()}
    if len(set(sizes.values())) > 1:
        detail = ", ".join(f"{n} has {s}" for n, s in sizes.items())
        raise ModelError(f"params of model {compiled.model_name!r}: the ensemble sequences must "
                         f"have the same length (member i takes the i-th value of each), "
                         f"but {detail}")
    members = next(iter(sizes.values()))
    for name, array in ensemble.items():
        consts[index[name]] = array
    member_params = MemberParameters({**given, **_lookup_params(compiled, params)}, ensemble)
    return tuple(consts), lookups, members, member_params


def _lookup_params(compiled: CompiledModel, params) -> dict[str, Any]:
    return {n: v for n, v in (params or {}).items() if n in compiled.lookups}


def lookup_functions(compiled: CompiledModel, params, vector: bool) -> tuple:
    """The function of each lookup of `compiled` (numpy if `vector`); `params` may give points."""
    functions = []
    for name, lookup in compiled.lookups.items():
        points, extrapolate = lookup.points, lookup.extrapolate
        if params and name in params:
            points = check_points(params[name], f"params: lookup {name!r}")
        xs = tuple(p[0] for p in points)
        ys = tuple(p[1] for p in points)
        functions.append(vector_lookup(xs, ys, extrapolate) if vector
                         else scalar_lookup(xs, ys, extrapolate))
    return tuple(functions)


class MemberParameters(Sequence):
    """The parameters of each ensemble member, built as dicts only when read."""

    def __init__(self, fixed: Mapping[str, Any], varied: Mapping[str, np.ndarray]):
        self._fixed = dict(fixed)
        self._varied = {n: a.tolist() for n, a in varied.items()}
        self._length = len(next(iter(varied.values()))) if varied else 1

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._length))]
        if not -self._length <= i < self._length:
            raise IndexError(f"member {i} does not exist; there are {self._length}")
        return {**self._fixed, **{n: values[i] for n, values in self._varied.items()}}

    def __repr__(self) -> str:
        return repr(list(self))


def describe_member(params: Mapping[str, Any]) -> str:
    """One member's parameters as ``name = value`` pairs, for messages."""
    return ", ".join(f"{n} = {v:g}" if isinstance(v, float) else f"{n} = {v!r}"
                     for n, v in params.items())

