"""Loop enumeration against networkx.simple_cycles, and the time to draw big diagrams.

Times are CPU times of this process, measured alternately. Run with
``make bench`` or ``.venv/bin/python benchmarks/cld.py`` (add ``--all`` to also
enumerate all 1,863,803 loops of World3's diagram, a few minutes). Each figure
is the best of several repeats; the ratio is ours / networkx (lower is better,
the target is at most 1.2). networkx only lists the cycles; csframework also
classifies each loop (reinforcing or balancing, delayed or not), puts it in
canonical rotation, orders the loops shortest first and names them. Both
search the same graph in the same order, so they find the same loops (checked).
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from pathlib import Path

import networkx as nx

from csframework.cld import CausalLoopDiagram
from csframework.cld.draw import layout
from csframework.cld.loops import canonical_rotation

REPEATS = 5
WORLD3_EDGES = Path(__file__).parent / "data" / "world3_cld_edges.tsv"
WORLD3_LOOPS = 1_863_803


def random_diagram(n: int, mean_degree: float, seed: int) -> CausalLoopDiagram:
    """A random sparse diagram: each variable links to 2 or 3 others."""
    rng = random.Random(seed)
    names = [f"v{i:04d}" for i in range(n)]
    cld = CausalLoopDiagram(f"random {n}")
    for name in names:
        cld.add_variable(name)
        low = int(mean_degree)
        degree = low + (rng.random() < mean_degree - low)
        for other in rng.sample(names, degree):
            if other != name:
                cld.link(name, other, rng.choice("+-"), delay=rng.random() < 0.1)
    return cld


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    """The best CPU time of `fn` (process time: other processes on a shared machine
    do not count), and its result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        getattr(fn, "setup", lambda: None)()
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result


def side_by_side(first, second, repeats: int = REPEATS):
    """Best times of two functions measured alternately (the same conditions for both)."""
    t1 = t2 = float("inf")
    r1 = r2 = None
    for _ in range(repeats):
        t, r1 = best_of(first, 1)
        t1 = min(t1, t)
        t, r2 = best_of(second, 1)
        t2 = min(t2, t)
    return t1, r1, t2, r2


def ours(cld: CausalLoopDiagram, **kwargs):
    def run():
        return cld.loops(**kwargs)
    run.setup = cld._changed  # drop the cache (untimed): measure the search, not a lookup
    return run


def same_graph_for_networkx(cld: CausalLoopDiagram) -> tuple[nx.DiGraph, list[str]]:
    """The diagram as a networkx graph whose search order matches ours.

    Nodes are numbered in name order and edges added in name order. networkx
    starts each strongly connected component's search at ``next(iter(component))``,
    which for a set of small integers is its smallest member, the variable we
    start from too, so both searches walk the graph in the same order and
    "the first 10,000 loops" are the same loops for both.
    """
    names = sorted(v.name for v in cld.variables)
    index = {name: i for i, name in enumerate(names)}
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(names)))
    graph.add_edges_from(sorted((index[link.cause], index[link.effect]) for link in cld.links))
    return graph, names


def theirs(graph: nx.DiGraph, length_bound: int | None, limit: int):
    return lambda: list(itertools.islice(nx.simple_cycles(graph, length_bound), limit))


def world3_diagram() -> CausalLoopDiagram:
    """World3-03's causal loop diagram (see benchmarks/data/README.md)."""
    cld = CausalLoopDiagram("World3-03")
    for line in WORLD3_EDGES.read_text(encoding="utf-8").splitlines():
        cause, effect = line.split("\t")
        cld.link(cause, effect, "+")
    return cld


def world3(complete: bool) -> None:
    """World3: the first 10,000 loops, and (with --all) all 1,863,803 of them."""
    cld = world3_diagram()
    graph, names = same_graph_for_networkx(cld)
    cases = [10_000] + ([WORLD3_LOOPS + 1] if complete else [])
    for limit in cases:
        repeats = REPEATS if limit <= 10_000 else 1
        t_ours, loops, t_nx, cycles = side_by_side(ours(cld, limit=limit),
                                                   theirs(graph, None, limit), repeats)
        count = len(loops)
        label = ("World3, all loops" if limit > WORLD3_LOOPS else
                 f"World3, first {limit:,} loops")
        if limit <= 10_000:
            same = {loop.variables for loop in loops} == {
                canonical_rotation([names[i] for i in c]) for c in cycles}
            note = "same loops" if same else "other loops"
        else:
            note = "complete" if loops.complete and count == len(cycles) else "INCOMPLETE"
        del loops, cycles
        ratio = t_ours / t_nx
        print(f"{label:<44}{count:>8}{t_ours * 1e3:>11.1f} ms{t_nx * 1e3:>9.1f} ms"
              f"{ratio:>8.2f}  {note} (target <= 1.0: {'OK' if ratio <= 1.0 else 'MISSED'})")
    if not complete:
        print("  (all 1,863,803 loops of World3: run with --all; it takes a few minutes)")


def main() -> None:
    print(f"{'case':<44}{'loops':>8}{'csframework':>14}{'networkx':>12}{'ratio':>8}")
    cases = [(100, 2.5, 12, 10_000), (300, 2.5, 10, 10_000), (1000, 2.5, 8, 10_000),
             (100, 2.5, None, 10_000), (300, 2.5, None, 10_000), (1000, 2.5, None, 10_000)]
    for n, degree, bound, limit in cases:
        cld = random_diagram(n, degree, seed=n)
        graph, names = same_graph_for_networkx(cld)
        t_ours, loops, t_nx, cycles = side_by_side(ours(cld, max_length=bound, limit=limit),
                                                   theirs(graph, bound, limit))
        what = f"all loops up to {bound}" if bound else f"first {limit:,} loops"
        label = f"{n} variables, {what}"
        ours_found = {loop.variables for loop in loops}
        theirs_found = {canonical_rotation([names[i] for i in c]) for c in cycles}
        same = "same loops" if ours_found == theirs_found else "other loops"
        if bound:  # a complete enumeration: both must find exactly the same loops
            assert same == "same loops", (len(ours_found), len(theirs_found))
        print(f"{label:<44}{len(loops):>8}{t_ours * 1e3:>11.1f} ms{t_nx * 1e3:>9.1f} ms"
              f"{t_ours / t_nx:>8.2f}  {same}")
    world3(complete="--all" in sys.argv)
    cld = random_diagram(1000, 2.5, seed=1000)
    t, loops = best_of(ours(cld, limit=10_000))
    print(f"first 10,000 loops of a 1,000-variable diagram: {t * 1e3:.0f} ms (target < 1000 ms)")
    drawing()


def drawing() -> None:
    """Time to draw (layout, placement and rendering to PNG) diagrams of growing size.

    Targets: 100 variables under 2 s, 300 under 10 s; beyond ``OVERVIEW_ABOVE``
    variables the drawing is an overview (and says so in its note).
    """
    from csframework.cld.draw import OVERVIEW_ABOVE

    print("\nwall-clock seconds (CPU seconds of this process in brackets; on a busy machine the")
    print("CPU figure is the one to compare with the target)")
    print(f"{'drawing':<44}{'layout':>10}{'draw':>10}{'to PNG':>18}{'target':>8}")
    targets = {30: None, 100: 2.0, 300: 10.0}
    random_diagram(5, 2.0, seed=5).to_png()  # imports (matplotlib, scipy) are not drawing
    for n, target in targets.items():
        cld = random_diagram(n, 2.5, seed=n)
        cld.loops()  # the loops are the diagram's own (cached); time the drawing
        start = time.perf_counter()
        layout(cld)
        t_layout = time.perf_counter() - start
        start = time.perf_counter()
        figure = cld.draw()
        t_draw = time.perf_counter() - start
        figure.clear()
        start, cpu = time.perf_counter(), time.process_time()
        cld.to_png()
        t_png, cpu_png = time.perf_counter() - start, time.process_time() - cpu
        kind = "overview" if n > OVERVIEW_ABOVE else "full"
        label = f"{n} variables, {len(cld.links)} links ({kind})"
        goal = f"{target:>7.1f}s" if target else f"{'-':>8}"
        print(f"{label:<44}{t_layout:>9.2f}s{t_draw:>9.2f}s{t_png:>9.2f}s ({cpu_png:4.2f}s){goal}")
    huge = "x" * 100_000
    long = CausalLoopDiagram.from_text(f"{huge} -> trust : +\ntrust -> {huge} : -")
    start = time.perf_counter()
    long.to_png()
    print(f"{'a 100,000-character name, to PNG':<44}{'':>20}{time.perf_counter() - start:>9.2f}s")
    story = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    story.name_loop("R1", "story " * 200_000)
    start = time.perf_counter()
    story.to_png()
    print(f"{'a 1.2 MB loop story, to PNG':<44}{'':>20}{time.perf_counter() - start:>9.2f}s")


if __name__ == "__main__":
    import sys

    drawing() if sys.argv[1:] == ["--drawing"] else main()
