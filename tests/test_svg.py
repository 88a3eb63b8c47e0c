"""Vector output: every figure offers SVG next to PNG, byte for byte the same every time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import csframework as csf
from csframework import behaviour, style
from csframework.botg import BehaviourOverTimeGraph
from csframework.circles import ConnectionCircle
from csframework.cld import CausalLoopDiagram
from csframework.games import HarvestGame
from csframework.iceberg import Iceberg
from csframework.ladder import LadderOfInference
from csframework.leverage import LeverageMap
from csframework.mandala import Mandala
from csframework.tension import CreativeTension


def _ladder():
    lad = LadderOfInference("Staff meeting")
    lad.add("observable data", "Sam looked at the clock twice while I spoke")
    lad.add("conclusions", "Sam is not interested")
    return lad


def _circle():
    c = ConnectionCircle("Energy", ["sleep", "energy", "exercise"])
    c.connect("sleep", "energy", "+")
    c.connect("energy", "exercise", "+")
    c.connect("exercise", "sleep", "+")
    return c


def _mandala():
    m = Mandala("Listening circles")
    m.add("practice", "Monthly listening circles")
    return m


def _botg():
    g = BehaviourOverTimeGraph("My energy dips mid-week", "energy", units="1-10")
    for day, value in enumerate([7, 6, 4, 3, 5], start=1):
        g.record(day, value)
    return g


def _iceberg():
    berg = Iceberg("Late homework")
    berg.add("events", "Six essays came in late")
    return berg


def _game():
    game = HarvestGame(["Ana", "Ben"])
    game.play_round({"Ana": 1, "Ben": 2})
    return game


CLASSROOM = CausalLoopDiagram.from_text("trust -> participation : +\nparticipation -> trust : +",
                                        title="Classroom")

FIGURES = {
    "cld": lambda: CLASSROOM,
    "archetype": lambda: csf.archetypes.get("fixes that fail"),
    "iceberg": _iceberg,
    "ladder": _ladder,
    "tension": lambda: CreativeTension("Every student known", "Half say no", ["Advisory"]),
    "tension runs": lambda: CreativeTension("v", "r").simulate(),
    "circle": _circle,
    "mandala": _mandala,
    "botg": _botg,
    "leverage": lambda: LeverageMap(CLASSROOM),
    "pattern": lambda: behaviour.pattern("s-shaped growth"),
    "game": _game,
    "stock and flow": lambda: csf.library.load("teacup"),
}


@pytest.mark.parametrize("kind", FIGURES)
def test_every_figure_offers_deterministic_svg_and_png(kind):
    thing = FIGURES[kind]()
    svg = thing._repr_svg_()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert svg == thing._repr_svg_() == thing.to_svg()
    assert "<dc:date>" not in svg
    assert thing._repr_png_().startswith(b"\x89PNG")


def test_svg_is_the_same_in_another_process():
    code = ("import csframework as csf, hashlib;"
            "print(hashlib.sha256(csf.archetypes.get('escalation').cld.to_svg().encode())"
            ".hexdigest())")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("0", "7")}
    assert len(outputs) == 1


def test_svg_follows_the_theme():
    small = CLASSROOM.to_svg()
    with style.theme("presentation"):
        large = CLASSROOM.to_svg()
    assert small != large


@pytest.mark.parametrize("role", style.TEXT_ROLES)
def test_text_colours_meet_wcag_aa_on_white(role):
    assert style.contrast(style.PALETTE[role]) >= 4.5, (role, style.PALETTE[role])


def test_the_old_self_pink_failed():
    assert style.contrast("#CC79A7") < 4.5 <= style.contrast(style.PALETTE["self"])


def test_every_colour_written_as_text_is_a_text_role():
    # facets and loop kinds colour names and loop labels; signs colour text too
    used = {"self", "others", "world", "reinforcing", "balancing", "positive", "negative",
            "text"}
    assert used <= set(style.TEXT_ROLES)
