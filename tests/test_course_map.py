"""notebooks/README.md: the map of the year is generated from csframework.curriculum.

The table in the README is exactly :func:`course_map_table`; when the curriculum
changes, regenerate it (``python -c "from tests.test_course_map import course_map_table;
print(course_map_table())"``) and paste it in.
"""

from pathlib import Path

from csframework import curriculum

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "notebooks" / "README.md"


def course_map_table() -> str:
    """The table of sessions, as Markdown, with links relative to ``notebooks/``."""
    rows = ["| # | When | Session | Facets | Tools | Habits | Notebook | Exercises |",
            "|---|---|---|---|---|---|---|---|"]
    for s in curriculum.sessions(include_start=True):
        notebook = Path(s.notebook).name
        exercise = f"[exercises](../{s.exercise})" if s.exercise else "—"
        rows.append(
            f"| {s.number} | {s.when or 'any time'} | {s.title} | {', '.join(s.facets)} | "
            f"{', '.join(s.tools)} | {', '.join(map(str, s.habit_numbers))} | "
            f"[{notebook}]({notebook}) | {exercise} |")
    return "\n".join(rows)


def habits_legend() -> str:
    """The numbered list of the habits the table refers to."""
    return "\n".join(f"{n}. {h}" for n, h in enumerate(curriculum.HABITS, start=1))


def test_readme_holds_the_generated_table():
    text = README.read_text(encoding="utf-8")
    assert course_map_table() in text, (
        "notebooks/README.md is out of date with csframework.curriculum: regenerate its "
        "table with tests.test_course_map.course_map_table()")
    assert habits_legend() in text


def test_every_session_has_a_row_with_its_paths():
    table = course_map_table()
    for s in curriculum.sessions(include_start=True):
        assert f"| {s.number} | " in table
        assert f"({Path(s.notebook).name})" in table
        if s.exercise:
            assert f"(../{s.exercise})" in table
