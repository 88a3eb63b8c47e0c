"""From a stock-and-flow model to its causal loop diagram.

:func:`to_cld` draws one variable per stock, flow and auxiliary (and constant,
if asked) and one link per dependency, with the polarities
:func:`~csframework.sd.polarity.link_polarities` reads along a run. The
model's own names for its loops (:meth:`StockFlowModel.name_loop`) and its
diagram positions (:meth:`StockFlowModel.place`) carry over to the diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from csframework.sd.causal_graph import check_model, is_native, run_values, structure_of
from csframework.sd.polarity import LinkPolarity, polarities

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld import CausalLoopDiagram
    from csframework.sd.results import Results

__all__ = ["build_cld", "to_cld"]


def to_cld(model: Any, results: Results | None = None, *, include_constants: bool = False,
           run_kwargs: Mapping[str, Any] | None = None) -> CausalLoopDiagram:
    """The causal loop diagram of a model, link polarities read from its equations.

    Parameters
    ----------
    model : StockFlowModel or PySDModel
        A model built in Python, read from XMILE, or loaded through PySD
        (see :func:`csframework.sd.loading.load_model`).
    results : Results, optional
        The run polarities are read along (default: a new run).
    include_constants : bool
        Also draw the constants and their links.
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given.

    Returns
    -------
    CausalLoopDiagram
        Titled after the model; each variable's note says what it is
        ("stock", "flow", "auxiliary", "constant"); ambiguous links say so in
        their note (see :func:`link_polarities`). Variables the model places
        (:meth:`StockFlowModel.place`) are placed there.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Perception", stop=20)
    >>> _ = m.stock("sales", 10, inflows=["growth"])
    >>> _ = m.flow("growth", "0.1 * perceived_sales")
    >>> _ = m.auxiliary("perceived_sales", "smooth(sales, 4)")
    >>> cld = to_cld(m)
    >>> cld.get_link("sales", "perceived_sales")
    Link('sales' -> 'perceived_sales', '+', delay)
    >>> cld.variable("sales").note, cld.title
    ('stock', 'Perception')
    """
    if not is_native(model) and callable(getattr(model, "run", None)) and callable(
            getattr(model, "to_cld", None)):  # a model run by PySD draws its own diagram
        if results is None and run_kwargs:
            results = model.run(**dict(run_kwargs))
        return model.to_cld(results)
    check_model(model, "to_cld()")
    structure = structure_of(model)
    run = run_values(structure, results, run_kwargs)
    found = polarities(structure, run, include_constants)[1]
    labels = {name: model[name].label for name in model.names()}
    cld = build_cld(model.name, structure.kinds, found, include_constants, labels,
                    model.loop_names)
    shown = {variable.name for variable in cld.variables}
    for name, (x, y) in model.positions.items():  # as the model's own diagram places them
        if name in shown:
            cld.place(name, x, y)
    return cld


def build_cld(title: str, kinds: Mapping[str, str], links: Iterable[LinkPolarity],
              include_constants: bool, labels: Mapping[str, str | None] | None = None,
              loop_names: Mapping[tuple[str, ...], tuple[str, str | None]] | None = None,
              ) -> CausalLoopDiagram:
    """The diagram of `links`; each variable drawn under its label (or its name, ``_`` as spaces).

    `kinds` maps every variable to "stock", "flow", "auxiliary" or "constant"
    (constants are drawn only if `include_constants`); `loop_names` are the
    model's names for its loops (see :meth:`StockFlowModel.name_loop`).

    Examples
    --------
    >>> from csframework.sd.polarity import LinkPolarity
    >>> cld = build_cld("m", {"x": "stock", "y_rate": "flow"},
    ...                 [LinkPolarity("y_rate", "x", "+", False, 1.0, role="inflow")], False)
    >>> print(cld.to_text())
    y_rate -> x : +
    >>> cld.variable("y_rate").label
    'y rate'
    """
    from csframework.cld import CausalLoopDiagram
    from csframework.cld.loops import canonical_rotation

    labels = labels or {}
    cld = CausalLoopDiagram(title=title)
    for name, kind in kinds.items():
        if include_constants or kind != "constant":
            label = labels.get(name) or name.replace("_", " ")
            cld.add_variable(name, note=kind, label=label if label != name else None)
    for link in links:
        cld.link(link.cause, link.effect, link.sign, delay=link.delay, note=link.note)
    if loop_names:
        # Names the model gives its loops hold where the run shows the loop
        # with the kind the name says (a loop can change kind with its setting).
        found = {canonical_rotation(loop.variables): loop for loop in cld.loops()}
        kept = {key: (name, story) for key, (name, story) in loop_names.items()
                if key in found and found[key].kind[0].upper() == name[0]}
        cld.set_loop_names(stories={key: story for key, (_, story) in kept.items() if story},
                           numbers={key: name for key, (name, _) in kept.items()})
    return cld


