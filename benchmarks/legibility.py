"""Legibility of every causal loop diagram the toolkit draws, measured on the figures.

Run with ``.venv/bin/python benchmarks/legibility.py [--png DIR]``. For each
figure (the ten archetypes, every library model's ``to_cld()``, the diagrams
the notebooks write with ``from_text``, seeded random diagrams of 10-30
variables) in both themes, it prints whether the figure is legible
(:func:`csframework.cld.legibility.check`), its link crossings and the time to
draw it; then the totals. ``--png DIR`` also writes each archetype's drawing
(participant theme) to ``DIR/<archetype>.png``.
"""

from __future__ import annotations

import argparse
import ast
import json
import pathlib
import random
import sys
import time

from csframework import archetypes, library, style
from csframework.cld import CausalLoopDiagram
from csframework.cld.legibility import check

ROOT = pathlib.Path(__file__).resolve().parent.parent

WORDS = ["trust", "participation", "stress", "energy", "workload", "learning", "attendance",
         "morale", "pressure", "curiosity", "feedback", "wellbeing", "belonging", "conflict",
         "support", "sleep", "focus", "burnout", "resources", "enrolment", "funding",
         "reputation", "collaboration", "innovation", "turnover", "recognition", "autonomy",
         "mastery", "purpose", "safety", "time to talk", "quality of teaching",
         "parents' involvement", "sense of belonging", "teacher workload", "exam pressure"]


def random_diagram(n: int, seed: int) -> CausalLoopDiagram:
    """A participant-style diagram: a ring through `n` variables and about n/2 more links."""
    rng = random.Random(seed)
    names = rng.sample(WORDS, n)
    cld = CausalLoopDiagram(f"{n} variables, seed {seed}")
    for a, b in zip(names, names[1:] + names[:1], strict=True):
        cld.link(a, b, rng.choice("+-"))
    added, extra = 0, n // 2
    while added < extra:
        a, b = rng.sample(names, 2)
        if (a, b) not in {(k.cause, k.effect) for k in cld.links}:
            cld.link(a, b, rng.choice("+-"), delay=rng.random() < 0.15)
            added += 1
    return cld


def notebook_diagrams(root: pathlib.Path = ROOT) -> dict[str, CausalLoopDiagram]:
    """The diagrams the notebooks write as ``CausalLoopDiagram.from_text("...", title=...)``.

    Only literal strings are read (with :func:`ast.literal_eval`); no code is run.
    """
    found = {}
    for path in sorted([*root.glob("notebooks/*.ipynb"), *root.glob("exercises/*.ipynb")]):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "from_text" and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    continue
                title = next((ast.literal_eval(k.value) for k in node.keywords
                              if k.arg == "title" and isinstance(k.value, ast.Constant)), None)
                found[f"{path.stem}[{number}]"] = CausalLoopDiagram.from_text(
                    node.args[0].value, title=title)
    return found


def corpus() -> dict[str, CausalLoopDiagram]:
    """Every diagram to check, by a stable name."""
    out = {f"archetype: {name}": archetypes.get(name).cld for name in archetypes.names()}
    out.update({f"library: {name}": library.load(name).to_cld() for name in library.names()})
    out.update({f"notebook: {key}": cld for key, cld in notebook_diagrams().items()})
    for n in (10, 14, 18, 22, 26, 30):
        for seed in (1, 2):
            out[f"random: {n} variables, seed {seed}"] = random_diagram(n, seed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=pathlib.Path, help="write the archetypes' PNGs here")
    args = parser.parse_args()
    diagrams = corpus()
    failing, crossings, by_kind = 0, 0, {}
    for theme in ("participant", "presentation"):
        with style.theme(theme):
            for name, cld in diagrams.items():
                start = time.perf_counter()
                figure = cld.draw()
                seconds = time.perf_counter() - start
                report = check(figure)
                figure.clear()
                failing += not report.ok
                crossings += report.crossings
                kind = name.split(":")[0]
                by_kind.setdefault(kind, [0, 0, 0])
                by_kind[kind][0] += 1
                by_kind[kind][1] += not report.ok
                by_kind[kind][2] += report.crossings
                mark = "ok  " if report.ok else "FAIL"
                print(f"{mark} {theme:<12} {name:<58} crossings {report.crossings:>3}"
                      f"  {seconds:5.2f} s")
                for problem in report.problems:
                    print(f"       {problem}")
    total = 2 * len(diagrams)
    for kind, (n, bad, cross) in by_kind.items():
        print(f"{kind:<10} {n:>3} drawings, {bad:>3} with problems, {cross:>4} crossings")
    print(f"all        {total:>3} drawings, {failing:>3} with problems, {crossings:>4} crossings")
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)
        for name in archetypes.names():
            png = archetypes.get(name).cld.to_png()
            (args.png / f"{name.replace(' ', '-')}.png").write_bytes(png)
        print(f"archetype PNGs written to {args.png}", file=sys.stderr)


if __name__ == "__main__":
    main()
