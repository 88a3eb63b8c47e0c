"""Exchange formats: csframework JSON, Kumu, Graphviz DOT, Mermaid."""

import json

import pytest

from csframework.cld import CausalLoopDiagram
from csframework.errors import FormatError


@pytest.fixture
def classroom():
    cld = CausalLoopDiagram("Classroom \"trust\"")
    cld.add_variable("trust", facet="others", note="between students")
    cld.link("trust", "participation", "+")
    cld.link("participation", "trust", "+", delay=True, note="takes weeks")
    cld.link("participation", "noise", "+")
    cld.link("noise", "trust", "-")
    cld.add_variable("headteacher")
    cld.name_loop("R1", "trust spiral")
    return cld


def test_json_round_trip_is_exact(classroom):
    text = classroom.to_json()
    data = json.loads(text)
    assert data["schema"] == "csframework.cld" and data["version"] == 1
    again = CausalLoopDiagram.from_json(text)
    assert again == classroom
    assert again.variables == classroom.variables
    assert again.links == classroom.links
    assert again.loop("trust spiral").name == "R1"
    assert again.to_json() == text


def test_json_errors_say_what_is_wrong():
    with pytest.raises(FormatError, match="could not be parsed"):
        CausalLoopDiagram.from_json("{not json")
    with pytest.raises(FormatError, match="must be a JSON object, got list"):
        CausalLoopDiagram.from_json("[]")
    with pytest.raises(FormatError, match="schema is 'other'"):
        CausalLoopDiagram.from_json('{"schema": "other"}')
    with pytest.raises(FormatError, match="version 99 is not supported"):
        CausalLoopDiagram.from_json('{"schema": "csframework.cld", "version": 99}')
    with pytest.raises(FormatError, match=r"links\[0\] is missing 'polarity'"):
        CausalLoopDiagram.from_json(
            '{"schema": "csframework.cld", "version": 1, "links": [{"cause": "a", "effect": "b"}]}')
    with pytest.raises(FormatError, match="unknown polarity 'x'"):
        CausalLoopDiagram.from_json('{"schema": "csframework.cld", "version": 1, '
                                    '"links": [{"cause": "a", "effect": "b", "polarity": "x"}]}')


def test_kumu_blueprint_shape(classroom):
    data = json.loads(classroom.to_kumu())
    assert set(data) == {"elements", "connections", "loops", "label"}
    labels = [e["label"] for e in data["elements"]]
    assert labels == ["trust", "participation", "noise", "headteacher"]
    trust = data["elements"][0]
    assert trust["description"] == "between students" and trust["tags"] == ["others"]
    conns = {(c["from"], c["to"]): c for c in data["connections"]}
    assert conns["trust", "participation"]["type"] == "+"
    assert conns["noise", "trust"]["type"] == "-"
    assert conns["participation", "trust"]["delay"] == "yes"
    assert all(c["direction"] == "directed" for c in data["connections"])


def test_kumu_round_trip(classroom):
    again = CausalLoopDiagram.from_kumu(classroom.to_kumu())
    assert again.links == classroom.links
    assert again.variables == classroom.variables
    assert again.title == classroom.title
    # from_json recognises a blueprint too
    assert CausalLoopDiagram.from_json(classroom.to_kumu()).links == classroom.links


def test_kumu_with_ids_as_exported_by_kumu():
    blueprint = {
        "elements": [{"_id": "e1", "label": "Fish"}, {"_id": "e2", "label": "Catch"}],
        "connections": [{"from": "e1", "to": "e2", "type": "+"},
                        {"from": "e2", "to": "e1", "type": "-", "tags": ["delay"]}],
    }
    cld = CausalLoopDiagram.from_kumu(json.dumps(blueprint))
    assert [link.to_text() for link in cld.links] == ["Fish -> Catch : +",
                                                      "Catch -> Fish : - delay"]


def test_kumu_errors():
    with pytest.raises(FormatError, match=r"elements\[0\] has no label"):
        CausalLoopDiagram.from_kumu('{"elements": [{}]}')
    with pytest.raises(FormatError, match=r"invalid Kumu JSON at connections\[0\] \('a' -> 'b'\): "
                                          "unknown polarity 'maybe'"):
        CausalLoopDiagram.from_kumu(
            '{"connections": [{"from": "a", "to": "b", "type": "maybe"}]}')


def test_dot(classroom):
    dot = classroom.to_dot()
    assert dot.startswith('digraph "Classroom \\"trust\\"" {')
    assert '"trust" -> "participation" [headlabel="+", labeldistance=1.6];' in dot
    assert '"noise" -> "trust" [headlabel="−", labeldistance=1.6];' in dot
    assert 'label="‖"' in dot and 'tooltip="takes weeks"' in dot
    assert '"headteacher";' in dot
    assert dot.count("->") == 4 and dot.rstrip().endswith("}")


def test_mermaid(classroom):
    text = classroom.to_mermaid()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart LR"
    assert 'n1 -->|"#43; ‖"| n0' in lines
    assert 'n2 -->|"−"| n0' in lines
    assert sum("-->" in line for line in lines) == 4


def test_json_label_must_be_text():
    import json

    from csframework.errors import FormatError

    data = json.loads(CausalLoopDiagram.from_text("a -> b : +").to_json())
    data["variables"][0]["label"] = 3
    with pytest.raises(FormatError, match=r"variables\[0\]\.label must be text"):
        CausalLoopDiagram.from_json(json.dumps(data))
    data["variables"][0]["label"] = "the a"
    cld = CausalLoopDiagram.from_json(json.dumps(data))
    assert cld.variable("a").display == "the a" and cld.variable("b").display == "b"
    assert 'label="the a"' in cld.to_dot()


def test_mermaid_shows_labels():
    cld = CausalLoopDiagram()
    cld.add_variable("customer_demand", label="customer demand")
    cld.link("customer_demand", "sales", "+")
    text = cld.to_mermaid()
    assert '["customer demand"]' in text and "customer_demand" not in text
