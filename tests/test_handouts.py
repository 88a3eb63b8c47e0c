"""``csframework course handouts``: one printable, deterministic A4 PDF per session."""

import re

import pytest

from csframework import curriculum, handouts
from csframework.cli import main
from csframework.curriculum import UnknownSessionError


def page_count(pdf: bytes) -> int:
    """Pages of a PDF, counted from its ``/Type /Page`` objects (``/Pages`` excluded)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    assert main(["course", "handouts", "--output", str(out)]) == 0
    return out


def test_the_command_writes_one_pdf_per_session(written):
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(f"{s.slug}.pdf" for s in curriculum.sessions(include_start=True))


@pytest.mark.parametrize("number", range(15))
def test_each_pdf_opens_with_a_page_per_template(written, number):
    s = curriculum.session(number)
    pdf = (written / f"{s.slug}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1 + len(handouts.templates_for(s))
    # A4 in points: 210 x 297 mm
    assert re.findall(rb"/MediaBox \[ 0 0 595\.44 841\.68 \]", pdf)
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf
    assert f"{s.label}: {s.title}".encode("ascii", "ignore")[:8] in pdf


def test_every_session_has_at_least_one_template_and_the_named_ones_exist():
    seen = set()
    for s in curriculum.sessions(include_start=True):
        chosen = handouts.templates_for(s)
        assert chosen, s
        seen |= set(chosen)
    assert seen == set(handouts.TEMPLATES)
    assert handouts.templates_for(curriculum.session(6)) == ("iceberg",
                                                              "behaviour-over-time grid")
    assert "ladder of inference" in handouts.templates_for(curriculum.session(4))
    assert "creative tension" in handouts.templates_for(curriculum.session(2))
    assert "connection circle" in handouts.templates_for(curriculum.session(1))


def test_handouts_are_deterministic(monkeypatch):
    first = handouts.handout_bytes(9)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert handouts.handout_bytes(9) == first


def test_the_key_points_are_the_notebooks(monkeypatch):
    """The handout prints the same key points the notebook ends with (one source)."""
    captured = []
    from matplotlib.axes import Axes

    original = Axes.text

    def spy(self, x, y, s, *args, **kwargs):
        captured.append(s)
        return original(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(Axes, "text", spy)
    session = curriculum.session(11)
    handouts.handout_bytes(session)
    printed = " ".join(" ".join(captured).split())
    for point in session.key_points:
        assert handouts._plain(point) in printed
    for item in session.plan:
        assert item.section in printed
    assert session.closing_markdown().count("\n- ") == len(session.key_points)


def test_one_session_and_bad_input(tmp_path, capsys):
    assert main(["course", "handouts", "--output", str(tmp_path / "one"), "--session", "7",
                 "--session", "07"]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["07-feedback-loops-and-delays.pdf"]
    assert "Wrote 1 handout " in capsys.readouterr().out
    with pytest.raises(UnknownSessionError, match="unknown session 15"):
        handouts.write_handouts(tmp_path / "two", [15])
    assert main(["course", "handouts", "--output", str(tmp_path / "two"),
                 "--session", "15"]) == 1
    assert "unknown session" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(handouts.HandoutError, match="it is a file, not a folder"):
        handouts.write_handouts(blocker, [1])


def test_the_same_bytes_in_a_fresh_process():
    import hashlib
    import subprocess
    import sys

    code = ("import hashlib; from csframework import handouts; "
            "print(hashlib.sha256(handouts.handout_bytes(4)).hexdigest())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == hashlib.sha256(handouts.handout_bytes(4)).hexdigest()
