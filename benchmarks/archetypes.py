"""Archetype recognition: false positives, how often random diagrams hold each structure, speed.

Run with ``.venv/bin/python benchmarks/archetypes.py``.

Definitions
-----------
random diagram
    A random sparse signed digraph of 10 to 30 variables with about 1.3
    links per variable (random cause and effect, polarity + or - with equal
    chance, 10 % of links delayed), kept only when it has at least one loop.
false positive
    A match reported by :func:`csframework.archetypes.find` (or another
    reading of its loops, in ``Match.alternatives``) whose required structure
    (that of the template, or of the form in ``Match.form``) is *not* present
    when checked by :func:`verify` below: an independent brute-force check
    (networkx's ``all_simple_paths`` and itertools.product, no code shared
    with the matcher) that the reported roles are distinct variables, that
    every essential archetype link is realised by a simple chain of at most
    ``MAX_PATH`` links whose sign, after the reported inverted roles are
    turned round, equals the link's polarity, that the chains share no
    variables except the roles, that every archetype loop so realised has at
    most ``MAX_LOOP`` variables, and that a required delay is marked.
raw rate
    The fraction of random diagrams in which the archetype's structure is
    present at all (a verified match exists, nested ones and other readings
    included; escalation counts its form with one relative position). This is
    not an error of the matcher: it measures how common each structure is by
    chance, i.e. how much a match in a random diagram says.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

from csframework import archetypes
from csframework.cld import CausalLoopDiagram

MAX_PATH = 3
MAX_LOOP = 8
DIAGRAMS = 300
SEEDS = 5            # 100-variable diagrams timed per density
TARGET = 1.0         # seconds: find() on a 100-variable diagram


def random_diagram(seed: int, low: int = 10, high: int = 30,
                   links_per_variable: float = 1.3) -> CausalLoopDiagram:
    """A random sparse signed diagram of `low` to `high` variables with at least one loop."""
    rng = random.Random(seed)
    while True:
        n = rng.randint(low, high)
        cld = CausalLoopDiagram(f"random {seed}")
        names = [f"x{i}" for i in range(n)]
        for name in names:
            cld.add_variable(name)
        pairs = set()
        while len(pairs) < round(links_per_variable * n):
            a, b = rng.sample(names, 2)
            pairs.add((a, b))
        for a, b in sorted(pairs):
            cld.link(a, b, rng.choice("+-"), delay=rng.random() < 0.1)
        if cld.loops(max_length=MAX_LOOP):
            return cld


def verify(cld: CausalLoopDiagram, match, max_path: int = MAX_PATH,
           max_loop: int = MAX_LOOP) -> bool:
    """Whether the match's roles really carry the archetype's essential structure."""
    archetype = match.archetype
    form = getattr(match, "form", "")
    pattern = archetype.form_cld(form)
    optional = set() if form else set(archetype.optional)
    essential = [x for x in pattern.links if (x.cause, x.effect) not in optional]
    roles = dict(match.roles)
    turn = {r: -1 if r in match.inverted else 1 for r in roles}
    needed = {r for x in essential for r in (x.cause, x.effect)}
    if not needed <= set(roles) or len({roles[r] for r in needed}) != len(needed):
        return False
    graph = cld.to_networkx()
    role_vars = {roles[r] for r in needed}
    options = []
    for x in essential:
        want = (-1 if x.is_negative else 1) * turn[x.cause] * turn[x.effect]
        found = []
        for path in nx.all_simple_paths(graph, roles[x.cause], roles[x.effect], cutoff=max_path):
            sign = 1
            for a, b in itertools.pairwise(path):
                sign *= -1 if graph.edges[a, b]["polarity"] == "-" else 1
            if sign == want and not role_vars.intersection(path[1:-1]):
                found.append(tuple(path))
        if not found:
            return False
        options.append(found)
    loops = [loop.variables for loop in pattern.loops()
             if all((x.cause, x.effect) not in optional for x in loop.links)]
    for choice in itertools.product(*options):
        inner = [v for path in choice for v in path[1:-1]]
        if len(inner) != len(set(inner)):
            continue
        chain = {(x.cause, x.effect): path for x, path in zip(essential, choice, strict=True)}
        if all(_loop_ok(loop, chain, graph, archetype.delay_required, max_loop)
               for loop in loops):
            return True
    return False


def _loop_ok(loop, chain, graph, delay_required: bool, max_loop: int) -> bool:
    cycle = [v for a, b in zip(loop, loop[1:] + loop[:1], strict=True) for v in chain[a, b][:-1]]
    if len(cycle) > max_loop:
        return False
    if delay_required:
        ring = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        return any(graph.edges[a, b]["delay"] for a, b in ring)
    return True


def measure(diagrams: int = DIAGRAMS, allow_inverted: bool = True) -> dict:
    """False-positive count and raw rates over `diagrams` random diagrams."""
    names = labels()
    present = dict.fromkeys(names, 0)
    shown = dict.fromkeys(names, 0)
    reported = false_positives = 0
    for seed in range(diagrams):
        cld = random_diagram(seed)
        found = archetypes.find(cld, nested=True, allow_inverted=allow_inverted)
        # every reading: the matches and the other readings of their loops
        every = [r for m in found for r in (m, *m.alternatives)]
        for match in every:
            reported += 1
            if not verify(cld, match):
                false_positives += 1
        for name in {label(m) for m in every if verify(cld, m)}:
            present[name] += 1
        outer = archetypes.find(cld, allow_inverted=allow_inverted)
        for name in {label(r) for m in outer for r in (m, *m.alternatives)}:
            shown[name] += 1
    return {"reported": reported, "false_positives": false_positives,
            "raw": {k: v / diagrams for k, v in present.items()},
            "shown": {k: v / diagrams for k, v in shown.items()}}


def labels() -> list[str]:
    """Each archetype's name, then each of its forms as 'name (form)'."""
    return [f"{n} ({f.name})" if f else n for n in archetypes.names()
            for f in (None, *archetypes.get(n).forms)]


def label(match) -> str:
    return f"{match.archetype.name} ({match.form})" if match.form else match.archetype.name


def hundred_variables(mean_links: float, seed: int = 0) -> CausalLoopDiagram:
    """The loop benchmark's random diagram: 100 variables, `mean_links` links each."""
    sys.path.insert(0, str(Path(__file__).parent))
    from cld import random_diagram as loop_benchmark_diagram

    return loop_benchmark_diagram(100, mean_links, seed)


def session_time(cld: CausalLoopDiagram, repeats: int = 3) -> tuple[float, int]:
    """Mean seconds of `repeats` consecutive find() runs, their results kept alive.

    Consecutive, not best-of: find() pauses the garbage collector, and the pass it
    defers lands in the next run, so the mean counts it as a session would.
    """
    kept = []
    start = time.perf_counter()
    for _ in range(repeats):
        cld._changed()  # drop the loop cache: time the whole search
        kept.append(archetypes.find(cld))
    return (time.perf_counter() - start) / repeats, len(kept[-1])


def main() -> None:
    for inverted in (True, False):
        result = measure(allow_inverted=inverted)
        rate = result["false_positives"] / max(result["reported"], 1)
        print(f"allow_inverted={inverted}: {DIAGRAMS} random diagrams (10-30 variables), "
              f"{result['reported']} matches reported (nested included), "
              f"{result['false_positives']} false positives (rate {rate:.4f})")
        print(f"  {'archetype':<40}{'structure present':>18}{'reported by find()':>20}")
        for name in labels():
            print(f"  {name:<40}{result['raw'][name]:>18.1%}{result['shown'][name]:>20.1%}")
    print()
    print(f"find() on 100-variable diagrams (benchmarks/cld.py's generator), mean of 3 "
          f"consecutive runs per diagram, median over seeds 0-{SEEDS - 1}; "
          f"target < {TARGET:.0f} s")
    print(f"{'mean links per variable':<26}{'links':>7}{'loops<=8':>10}{'matches':>9}"
          f"{'median':>10}{'slowest':>10}  verdict")
    for mean_links in (1.5, 2.0, 2.5):
        rows = []
        for seed in range(SEEDS):
            cld = hundred_variables(mean_links, seed)
            seconds, count = session_time(cld)
            rows.append((seconds, len(cld.links), len(cld.loops(max_length=MAX_LOOP)), count))
        median = statistics.median(r[0] for r in rows)
        links, loops, count = (statistics.median(r[i] for r in rows) for i in (1, 2, 3))
        verdict = "ok" if median < TARGET else "OVER TARGET"
        print(f"{mean_links:<26}{links:>7.0f}{loops:>10.0f}{count:>9.0f}{median:>9.3f}s"
              f"{max(r[0] for r in rows):>9.3f}s  {verdict}")


if __name__ == "__main__":
    main()
