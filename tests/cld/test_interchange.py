"""Interchange with Kumu, Loopy and Mermaid: round trips and the formats' own conventions."""

import json
import re
import urllib.parse

import pytest

from csframework.cld import CausalLoopDiagram
from csframework.cld.formats import KUMU_SCALE, LOOPY_URL, MAX_DEPTH, loopy_data
from csframework.errors import FormatError


@pytest.fixture
def classroom():
    cld = CausalLoopDiagram("Classroom")
    cld.add_variable("trust", facet="others", note="between students")
    cld.link("trust", "participation", "+")
    cld.link("participation", "trust", "+", delay=True, note="takes weeks")
    cld.link("participation", "noise", "+")
    cld.link("noise", "trust", "-")
    cld.add_variable("headteacher")
    cld.name_loop("R1", "trust spiral")
    cld.name_loop("B1", "noise brake")
    for name, (x, y) in {"trust": (0.0, 1.0), "participation": (1.0, 0.0),
                         "noise": (-1.0, 0.0), "headteacher": (0.3, -0.7)}.items():
        cld.place(name, x, y)
    return cld


# -- csframework JSON: positions and strict fields ---------------------------------------


def test_json_keeps_positions(classroom):
    data = json.loads(classroom.to_json())
    assert data["positions"]["trust"] == [0.0, 1.0]
    again = CausalLoopDiagram.from_json(classroom.to_json())
    assert again == classroom and again.positions == classroom.positions


def test_json_without_positions_has_no_positions_key():
    assert "positions" not in json.loads(CausalLoopDiagram.from_text("a -> b : +").to_json())


def _diagram(**extra):
    return json.dumps({"schema": "csframework.cld", "version": 1, **extra})


@pytest.mark.parametrize("delay, shown", [
    ('"false"', "the text 'false'"), ('"true"', "the text 'true'"), ("0", "the number 0"),
    ("1", "the number 1"), ("null", "null"), ("[]", "a list"),
])
def test_json_delay_must_be_a_json_boolean(delay, shown):
    text = ('{"schema": "csframework.cld", "version": 1, "links": [{"cause": "a", "effect": "b", '
            f'"polarity": "+", "delay": {delay}}}]}}')
    with pytest.raises(FormatError, match=re.escape(
            f"at links[0] ('a' -> 'b'): \"delay\" must be true or false (a JSON boolean), "
            f"got {shown}")):
        CausalLoopDiagram.from_json(text)


def test_json_story_names_match_normalised_variable_names():
    links = [{"cause": "cafe\u0301", "effect": "b", "polarity": "+"},
             {"cause": "b", "effect": "cafe\u0301", "polarity": "+"}]
    stories = [{"variables": ["b", "\ufeffcafe\u0301"], "story": "coffee  loop"}]
    cld = CausalLoopDiagram.from_json(_diagram(links=links, loop_stories=stories))
    assert cld.loop("R1").story == "coffee loop"


def test_json_delay_true_and_false_are_read():
    links = [{"cause": "a", "effect": "b", "polarity": "+", "delay": False},
             {"cause": "b", "effect": "a", "polarity": "-", "delay": True}]
    cld = CausalLoopDiagram.from_json(_diagram(links=links))
    assert [link.delay for link in cld.links] == [False, True]


@pytest.mark.parametrize("extra, problem", [
    ({"title": 5}, r'at title: "title" must be text, got the number 5'),
    ({"variables": {"name": "a"}}, r'"variables" must be a list'),
    ({"variables": [{"name": 3}]}, r'at variables\[0\]: "name" must be text, got the number 3'),
    ({"variables": [{"name": "a", "note": ["x"]}]}, r'"note" must be text, got a list'),
    ({"links": [{"cause": "a", "effect": "b", "polarity": 1}]}, r'"polarity" must be "\+" or "-"'),
    ({"loop_stories": [{"variables": "ab", "story": "s"}]}, r"list of two or more names"),
    ({"variables": [{"name": "a"}], "positions": {"a": [1]}}, r"a position must be \[x, y\]"),
    ({"variables": [{"name": "a"}], "positions": {"a": ["1", 2]}}, r"x .* must be a number"),
    ({"variables": [{"name": "trust"}], "positions": {"trsut": [1, 2]}},
     r"at positions\['trsut'\]: unknown variable 'trsut' .*did you mean 'trust'"),
    ({"variables": [{"name": "a\udc80"}]}, r"at variables\[0\]: .*lone surrogate"),
    ({"loop_stories": [{"variables": ["a", "b"], "story": "x\ud800"}]},
     r"at loop_stories\[0\]: the story name of the loop a -> b contains a lone surrogate"),
])
def test_json_fields_of_the_wrong_type_are_refused_with_their_place(extra, problem):
    with pytest.raises(FormatError, match=problem):
        CausalLoopDiagram.from_json(_diagram(**extra))


@pytest.mark.parametrize("text", [
    "[" * 100_000,
    '{"a": ' * 100_000 + "1" + "}" * 100_000,
    '{"schema": "csframework.cld", "version": 1, "title": ' + "[" * 40 + "]" * 40 + "}",
])
def test_deeply_nested_json_is_refused_not_a_recursion_error(text):
    # before: RecursionError from the json module
    with pytest.raises(FormatError, match=f"nested more than {MAX_DEPTH} levels deep"):
        CausalLoopDiagram.from_json(text)
    with pytest.raises(FormatError, match="nested more than"):
        CausalLoopDiagram.from_kumu(text)


def test_brackets_inside_strings_do_not_count_as_nesting():
    cld = CausalLoopDiagram.from_json(_diagram(title="[" * 1000, variables=[{"name": "{{{"}]))
    assert cld.title == "[" * 1000 and cld.variables[0].name == "{{{"


@pytest.mark.parametrize("text, problem", [
    (None, "must be text"), (3, "must be text"), (b"\xff\xfe", "not UTF-8"),
])
def test_json_that_is_not_text_is_refused(text, problem):
    with pytest.raises(FormatError, match=problem):
        CausalLoopDiagram.from_json(text)


def test_json_bytes_with_a_bom_are_read():
    text = ("\ufeff" + CausalLoopDiagram.from_text("a -> b : +").to_json()).encode()
    assert len(CausalLoopDiagram.from_json(text).links) == 1


# -- Kumu ------------------------------------------------------------------------------------


def test_kumu_export_has_loops_stories_and_positions(classroom):
    data = json.loads(classroom.to_kumu())
    trust = data["elements"][0]
    assert (trust["x"], trust["y"]) == (0.0, -KUMU_SCALE)  # Kumu's y points down
    ids = {c["id"]: (c["from"], c["to"]) for c in data["connections"]}
    loops = {loop["label"]: loop for loop in data["loops"]}
    assert set(loops) == {"trust spiral", "noise brake"}
    spiral = loops["trust spiral"]
    assert spiral["loop type"] == "reinforcing"
    assert sorted(ids[c] for c in spiral["connections"]) == [("participation", "trust"),
                                                              ("trust", "participation")]
    assert loops["noise brake"]["description"].startswith("B1, balancing: ")


def test_kumu_round_trip_keeps_everything(classroom):
    again = CausalLoopDiagram.from_kumu(classroom.to_kumu())
    assert again.variables == classroom.variables
    assert again.links == classroom.links
    assert again.positions == classroom.positions  # exactly: KUMU_SCALE is a power of two
    assert again.story_names == classroom.story_names
    assert again.loop("trust spiral").name == "R1"
    assert again == classroom


def test_kumu_round_trip_of_unnamed_loops_adds_no_story_names():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : -\nb -> c : +\nc -> b : +")
    again = CausalLoopDiagram.from_kumu(cld.to_kumu())
    assert again.story_names == {} and again == cld


def test_kumu_project_export_with_ids_attributes_and_map_positions():
    # the shape of Kumu's own "Export JSON": _id, nested attributes, from/to as ids,
    # "delayed" as a boolean, positions on the map
    project = {
        "name": "Fishery",
        "elements": [
            {"_id": "elem-1", "attributes": {"label": "fish", "element type": "Variable",
                                             "description": "the stock", "tags": ["world"]}},
            {"_id": "elem-2", "attributes": {"label": "catch"}},
            {"_id": "elem-3", "attributes": {"label": "boats"}},
        ],
        "connections": [
            {"_id": "conn-1", "from": "elem-1", "to": "elem-2", "direction": "directed",
             "delayed": False, "reversed": False, "attributes": {"connection type": "+"}},
            {"_id": "conn-2", "from": "elem-2", "to": "elem-1", "direction": "directed",
             "delayed": True, "attributes": {"connection type": "-"}},
            {"_id": "conn-3", "from": "elem-2", "to": "elem-3",
             "attributes": {"tags": ["+", "delay"]}},
        ],
        "loops": [{"_id": "loop-1", "attributes": {"label": "overfishing"},
                   "connections": ["conn-1", "conn-2"]}],
        "maps": [{"elements": [{"element": "elem-1", "position": {"x": 512, "y": -256}},
                               {"element": "elem-2", "position": {"x": 0, "y": 0}}]}],
    }
    cld = CausalLoopDiagram.from_kumu(json.dumps(project))
    assert cld.title == "Fishery"
    assert [link.to_text() for link in cld.links] == [
        "fish -> catch : +", "catch -> fish : - delay", "catch -> boats : + delay"]
    assert cld.variable("fish").facet == "world" and cld.variable("fish").note == "the stock"
    assert cld.loop("overfishing").name == "B1"
    assert dict(cld.positions) == {"fish": (1.0, 0.5), "catch": (0.0, 0.0)}


@pytest.mark.parametrize("delay, expected", [("yes", True), ("no", False), ("false", False),
                                             ("True", True), (False, False), (True, True)])
def test_kumu_delay_values(delay, expected):
    blueprint = {"connections": [{"from": "a", "to": "b", "type": "+", "delay": delay}]}
    assert CausalLoopDiagram.from_kumu(json.dumps(blueprint)).links[0].delay is expected


@pytest.mark.parametrize("connection, problem", [
    ({"from": "a", "to": "b"}, r"no polarity; give it the connection type"),
    ({"from": "a", "to": "b", "type": "+", "delay": "maybe"},
     r"\"delay\" must be true or false \(or \"yes\"/\"no\"\), got the text 'maybe'"),
    ({"from": "a", "to": "b", "type": "+", "direction": "mutual"}, r"runs one way"),
    ({"from": "a", "to": "b", "type": "+", "reversed": True}, r"marked reversed"),
    ({"from": "a", "to": "b", "tags": ["+", "-"]}, r"both polarities"),
    ({"from": 1, "to": "b", "type": "+"}, r'"from" must be an element id or label'),
])
def test_kumu_connection_problems_name_the_connection(connection, problem):
    with pytest.raises(FormatError, match=problem) as info:
        CausalLoopDiagram.from_kumu(json.dumps({"connections": [connection]}))
    assert "connections[0]" in str(info.value)


def test_kumu_duplicate_labels_and_bad_loops_are_refused():
    twice = {"elements": [{"label": "a"}, {"label": "a"}]}
    with pytest.raises(FormatError, match=r"elements\[0\] and elements\[1\] are both labelled 'a'"):
        CausalLoopDiagram.from_kumu(json.dumps(twice))
    chain = {"connections": [{"id": "c1", "from": "a", "to": "b", "type": "+"},
                             {"id": "c2", "from": "b", "to": "c", "type": "+"}],
             "loops": [{"label": "not a loop", "connections": ["c1", "c2"]}]}
    with pytest.raises(FormatError, match=r"loops\[0\] 'not a loop'.*do not form one feedback"):
        CausalLoopDiagram.from_kumu(json.dumps(chain))
    chain["loops"] = [{"label": "x", "connections": ["c9"]}]
    with pytest.raises(FormatError, match=r"'c9', which is not among the connections"):
        CausalLoopDiagram.from_kumu(json.dumps(chain))


# -- Loopy -----------------------------------------------------------------------------------


def _decode_loopy(link):
    """Read a link the way Loopy 1.1 does (_getParameterByName, then Model.deserialize)."""
    assert link.startswith(LOOPY_URL + "?data=")
    raw = re.search(r"[?&]data(=([^&#]*)|&|#|$)", link).group(2)
    data = json.loads(urllib.parse.unquote(raw.replace("+", " ")))
    nodes, edges, labels, uid = data
    nodes = [[i, x, y, init, urllib.parse.unquote(label), hue]
             for i, x, y, init, label, hue in nodes]
    labels = [[x, y, urllib.parse.unquote(text)] for x, y, text in labels]
    return nodes, edges, labels, uid


def test_loopy_link_decodes_to_the_diagram(classroom):
    classroom.add_variable("a & b # c + d ?")  # characters that would break a URL
    classroom.place("a & b # c + d ?", 2, 2)
    link = classroom.to_loopy()
    assert link == classroom.to_loopy()  # deterministic
    assert not set(link[len(LOOPY_URL) + 6:]) & set(" &#\"'<>")  # nothing a URL must escape
    nodes, edges, labels, uid = _decode_loopy(link)
    names = {node[0]: node[4] for node in nodes}
    assert list(names.values()) == [v.name for v in classroom.variables]
    assert uid == max(names) == len(nodes)
    assert sorted((names[a], names[b], strength) for a, b, _arc, strength, _rot in edges) == sorted(
        (link.cause, link.effect, 1 if link.sign == "+" else -1) for link in classroom.links)
    texts = [text for _x, _y, text in labels]
    assert texts[0] == "Classroom" and "R1 trust spiral" in texts and "B1 noise brake" in texts
    # positions: Loopy's y points down, so trust (top) has the smallest y
    y = {names[node[0]]: node[2] for node in nodes}
    assert y["trust"] < y["participation"] == y["noise"]


def test_loopy_without_positions_uses_the_layout():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : -\nc -> a : +")
    nodes, edges, _labels, _uid = loopy_data(cld)
    assert len({(x, y) for _i, x, y, *_ in nodes}) == 3
    assert [strength for *_ab, _arc, strength, _rot in edges] == [1, -1, 1]


def test_loopy_link_written_to_a_file(tmp_path, classroom):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "classroom.html"
    link = classroom.to_loopy(target)
    page = target.read_text(encoding="utf-8")
    assert "Open “Classroom” in Loopy" in page
    assert f'url={link.replace("&", "&amp;")}"' in page
    assert sorted(p.name for p in target.parent.iterdir()) == ["classroom.html"]


def test_empty_diagram_in_loopy():
    nodes, edges, labels, uid = _decode_loopy(CausalLoopDiagram().to_loopy())
    assert (nodes, edges, labels, uid) == ([], [], [], 0)


# -- Mermaid ---------------------------------------------------------------------------------


def test_mermaid_escapes_what_mermaid_reads_as_syntax():
    cld = CausalLoopDiagram()
    hostile = 'say "hi" [a] (b) {c} |d| #e; <f> & `g` *h* _i_'
    cld.link(hostile, "plain", "+")
    cld.link("- listed", "1. ordered", "-", delay=True)
    text = cld.to_mermaid()
    label = text.splitlines()[1]
    assert label.startswith('    n0["') and label.endswith('"]')
    inner = label[len('    n0["'):-2]
    assert not set(inner) & set('"[](){}|<>`*_&')
    assert "#quot;" in inner and "#35;e#59;" in inner and "#lt;f#gt;" in inner
    assert 'n2["#45; listed"]' in text and 'n3["#49;#46; ordered"]' in text


def test_mermaid_signs_stay_visible_on_straight_edges():
    # a bare "+" label is a Markdown list item to Mermaid ("Unsupported markdown: list")
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : - delay\nb -> c : + delay")
    text = cld.to_mermaid()
    edges = [line.strip() for line in text.splitlines() if "-->" in line]
    assert edges == ['n0 -->|"#43;"| n1', 'n1 -->|"− ‖"| n0', 'n1 -->|"#43; ‖"| n2']
    assert not any(re.search(r'\|"[-+*](\s|")', edge) for edge in edges)
