"""Mandala: domains, items, the journal, JSON, Markdown and the drawing."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csframework as csf
from csframework import curriculum, style
from csframework.errors import DiagramError, FormatError, UnknownNameError
from csframework.journal import Journal
from csframework.mandala import DOMAIN_COLOURS, Mandala, MandalaItem, domains


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


@pytest.fixture
def mandala():
    m = Mandala("Listening circles with families")
    m.add("practice", "Monthly listening circles in two schools")
    m.add("research", "What helps families who never come to school events feel welcome?")
    m.add("capacity building", "Facilitation skills for parent hosts")
    m.add("community", "Parents, teachers, two students and the youth centre")
    return m


def test_domains_are_the_curriculum_domains_in_order():
    assert [d.name for d in domains()] == list(curriculum.DOMAINS)
    assert [d.question for d in domains()] == list(curriculum.DOMAINS.values())
    assert [d.title for d in domains()] == ["Practice", "Research", "Capacity building",
                                           "Community building"]
    assert set(DOMAIN_COLOURS) == set(curriculum.DOMAINS)


def test_lazy_public_name():
    assert csf.Mandala is Mandala


@pytest.mark.parametrize("alias, domain", [
    ("Practice", "practice"), ("practise", "practice"), ("RESEARCH", "research"),
    ("inquiry", "research"), ("capacity", "capacity building"),
    ("capacity-building", "capacity building"), ("Capacity_Building", "capacity building"),
    ("community building", "community"), ("Community-building", "community"),
    ("relationships", "community"),
])
def test_domain_aliases(alias, domain):
    m = Mandala("x")
    assert m.add(alias, "a note") == MandalaItem(domain, "a note")
    assert m.domain(alias).name == domain


def test_unknown_domain_suggests_or_lists():
    m = Mandala("Garden")
    with pytest.raises(UnknownNameError, match=r"did you mean 'research'\?") as info:
        m.add("reserch", "x")
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownNameError, match=r"known mandala domains are 'capacity building'"):
        m.add("budget", "x")
    with pytest.raises(UnknownNameError):
        m.items("nowhere")


def test_items_duplicates_order_and_remove(mandala):
    assert [i.domain for i in mandala.items()] == list(curriculum.DOMAINS)
    again = mandala.add("practice", "  Monthly   listening circles in two schools ")
    assert again is mandala.items("practice")[0]
    assert len(mandala) == 4
    mandala.add("Practice", "A shared calendar")
    assert [i.text for i in mandala.items("practice")] == [
        "Monthly listening circles in two schools", "A shared calendar"]
    removed = mandala.remove("practice", "A shared calendar")
    assert removed.text == "A shared calendar" and len(mandala) == 4
    with pytest.raises(UnknownNameError, match="did you mean"):
        mandala.remove("practice", "Monthly listening circle in two schools")
    assert isinstance(mandala.items(), tuple)


def test_empty_text_and_title_are_refused():
    with pytest.raises(DiagramError, match="empty project title"):
        Mandala("   ")
    with pytest.raises(DiagramError, match="must be text"):
        Mandala(None)
    with pytest.raises(DiagramError, match="empty item for domain 'research'"):
        Mandala("x").add("research", " \n ")


def test_repr_is_short_and_stable(mandala):
    assert repr(mandala) == "<Mandala 'Listening circles with families': 4 items in 4 of 4 domains>"
    assert repr(Mandala("Garden")) == "<Mandala 'Garden': 0 items in 0 of 4 domains>"
    assert repr(MandalaItem("research", "q", "session 6, iceberg")) == (
        "MandalaItem(domain='research', text='q', source='session 6, iceberg')")


def test_from_journal_takes_latest_entries_with_a_domain(tmp_path):
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.write(6, "iceberg", "Homework is late on Mondays", domain="research")
        journal.write(6, "iceberg", "Homework is late after weekends away", domain="research")
        journal.write(6, "check-out", "Tired but curious")
        journal.write(13, "we", "Parents and teachers", domain="community building")
        journal.write(13, "aim", "Circles every month", domain="practice")
        m = Mandala.from_journal(journal, "Homework")
        assert journal.path.exists()  # a journal given open stays open
        assert len(journal) == 4
        only_13 = Mandala.from_journal(journal, "Homework", session=13)
    assert [(i.domain, i.text, i.source) for i in m.items()] == [
        ("practice", "Circles every month", "session 13, aim"),
        ("research", "Homework is late after weekends away", "session 6, iceberg"),
        ("community", "Parents and teachers", "session 13, we"),
    ]
    assert len(only_13) == 2
    by_path = Mandala.from_journal(tmp_path / "j.sqlite3", "Homework")
    assert by_path == m


def test_from_journal_default_is_the_participants_journal(_fresh_csf_home):
    with Journal() as journal:
        journal.write(13, "aim", "Circles every month", domain="practice")
    m = Mandala.from_journal()
    assert m.project_title == "My project" and len(m) == 1


def test_json_round_trip(mandala):
    mandala.add("research", "Does trust follow attendance?", source="session 13, q")
    text = mandala.to_json()
    data = json.loads(text)
    assert data["schema"] == "csframework.mandala" and data["version"] == 1
    assert data["project_title"] == "Listening circles with families"
    back = Mandala.from_json(text)
    assert back == mandala
    assert back.items("research")[1].source == "session 13, q"
    assert back.to_json() == text


@settings(max_examples=40, deadline=None)
@given(title=st.text(min_size=1, max_size=30).filter(str.strip),
       items=st.lists(st.tuples(st.sampled_from(list(curriculum.DOMAINS)),
                                st.text(min_size=1, max_size=40).filter(str.strip)),
                      max_size=8))
def test_json_round_trip_property(title, items):
    m = Mandala(title)
    for domain, text in items:
        m.add(domain, text)
    assert Mandala.from_json(m.to_json()) == m


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1]", "must be a JSON object"),
    ('{"schema": "csframework.ladder", "version": 1}', "not mandala JSON"),
    ('{"schema": "csframework.mandala", "version": 9}', "version 9 is not supported"),
    ('{"schema": "csframework.mandala", "version": 1, "project_title": "x", '
     '"items": [{"text": "no domain"}]}', r"items\[0\] needs 'domain' and 'text'"),
    ('{"schema": "csframework.mandala", "version": 1, "project_title": "x", '
     '"items": [{"domain": "budget", "text": "t"}]}', "invalid mandala JSON: unknown mandala"),
    ('{"schema": "csframework.mandala", "version": 1, "project_title": "x", "items": 3}',
     "'items' must be a list"),
    ('{"schema": "csframework.mandala", "version": 1}', "invalid mandala JSON"),
])
def test_bad_json(text, message):
    with pytest.raises(FormatError, match=message):
        Mandala.from_json(text)


def test_markdown_lists_every_domain_with_its_question(mandala):
    mandala.add("research", "Does trust follow attendance?", source="session 13, q")
    text = mandala.to_markdown()
    assert text.startswith("## Mandala for Systems Change: Listening circles with families\n")
    for domain in domains():
        assert f"### {domain.title}\n*{domain.question}*" in text
    assert "- Does trust follow attendance? *(session 13, q)*" in text
    assert Mandala("x").to_markdown().count("- (nothing yet)") == 4


def test_drawing_structure(mandala):
    fig = mandala.draw()
    found = gids(fig)
    for name in curriculum.DOMAINS:
        assert {f"quadrant:{name}", f"heading:{name}", f"question:{name}"} <= found
    assert {"title", "circle", "centre", "project"} <= found
    assert "item:practice:Monthly listening circles in two schools" in found
    project = next(a for a in fig.axes[0].get_children() if a.get_gid() == "project")
    assert "Listening circles" in project.get_text()
    empty = gids(Mandala("x").draw())
    assert {f"empty:{name}" for name in curriculum.DOMAINS} <= empty


def test_quadrants_sit_in_their_places(mandala):
    fig = mandala.draw()
    ax = fig.axes[0]
    centre = next(a for a in ax.get_children() if a.get_gid() == "centre").center
    where = {a.get_gid(): a.get_position() for a in ax.texts}
    (px, py), (rx, ry) = where["heading:practice"], where["heading:research"]
    (cx, cy), (mx, my) = where["heading:capacity building"], where["heading:community"]
    assert px < centre[0] < rx and py > centre[1] and ry > centre[1]
    assert cx < centre[0] < mx and cy < centre[1] and my < centre[1]


def test_text_stays_inside_the_circle(mandala):
    for i in range(30):
        mandala.add("community", f"a long note number {i} that has to wrap over lines")
    fig = mandala.draw()
    ax = fig.axes[0]
    circle = next(a for a in ax.get_children() if a.get_gid() == "circle")
    (cx, cy), radius = circle.center, circle.radius
    for text in ax.texts:
        if text.get_gid() in ("title",):
            continue
        x, y = text.get_position()
        assert (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2, text.get_gid()
    assert "more:community" in gids(fig)
    more = next(t for t in ax.texts if t.get_gid() == "more:community")
    shown = sum(1 for t in ax.texts if (t.get_gid() or "").startswith("item:community:"))
    assert more.get_text() == f"+ {31 - shown} more"


def test_very_long_item_is_cut_not_lost():
    m = Mandala("x")
    m.add("practice", " ".join(["word"] * 200))
    fig = m.draw()
    line = next(t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("item:practice"))
    assert line.get_text().startswith("\u2022 word")
    assert any(t.get_text().endswith("\u2026") for t in fig.axes[0].texts)
    assert len(m.items("practice")[0].text.split()) == 200  # the item itself is whole


def test_png_deterministic_and_theme(mandala):
    first = mandala.to_png()
    assert first[:4] == b"\x89PNG"
    assert mandala.to_png() == first == mandala._repr_png_()
    with style.theme("presentation"):
        big = mandala.to_png()
    assert big != first and len(big) > len(first)


def test_draw_into_given_axes(mandala):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert mandala.draw(ax=ax) is fig
    assert "project" in {a.get_gid() for a in ax.get_children()}
