"""Labelled files: CSV, JSON Lines and ACLED exports; a bad file names the line and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qalxan.errors import InvalidInput
from qalxan.intake.classify import read_labelled, strip_acled_tags

ACLED_HEADER = "event_id_cnty,event_date,event_type,sub_event_type,country,notes\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_csv_with_codes_and_acled_names(tmp_path: Path) -> None:
    path = write(
        tmp_path / "reports.csv",
        'id,text,event_type\nr1,"Zəlzələ olub, evlər dağılıb.",earthquake\n'
        "r2,Police arrested two men.,Arrests\n",
    )
    examples = read_labelled(path)
    assert [(e.key, e.event_type, e.line) for e in examples] == [
        ("r1", "earthquake", 2),
        ("r2", "arrests", 3),
    ]
    assert examples[0].text == "Zəlzələ olub, evlər dağılıb."


def test_reads_json_lines(tmp_path: Path) -> None:
    lines = [
        {"text": "Произошло наводнение.", "event_type": "flood"},
        {"text": "A mob beat a suspected thief.", "event_type": "Mob violence", "id": 7},
    ]
    path = write(tmp_path / "reports.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    examples = read_labelled(path)
    assert [e.event_type for e in examples] == ["flood", "mob-violence"]
    assert examples[0].key == "Произошло наводнение."
    assert examples[1].key == "7"


def test_reads_an_acled_export_without_the_size_tag(tmp_path: Path) -> None:
    path = write(
        tmp_path / "acled.csv",
        ACLED_HEADER
        + 'AZE1,2022-01-01,Protests,Peaceful protest,Azerbaijan,"On 1 January 2022, residents '
        'protested in Baku. [size=around 50]"\n'
        "AZE2,2022-01-02,Battles,Armed clash,Azerbaijan,Soldiers clashed with militants.\n",
    )
    examples = read_labelled(path)
    assert examples[0].text == "On 1 January 2022, residents protested in Baku."
    assert [e.event_type for e in examples] == ["peaceful-protest", "armed-clash"]
    assert [e.key for e in examples] == ["AZE1", "AZE2"]


def test_strips_only_the_trailing_size_tag() -> None:
    assert strip_acled_tags("Protest [size=no report]") == "Protest"
    assert strip_acled_tags("A [size=x] in the middle.") == "A [size=x] in the middle."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "text,label\nx,flood\n", "a.csv, line 1: the header has no column event_type"),
        ("b.csv", "text,event_type\nx,flood\ny,volcano\n", "b.csv, line 3: unknown event type"),
        ("c.csv", "text,event_type\n  ,flood\n", "c.csv, line 2: the text is empty"),
        ("d.csv", "text,event_type\nx,\n", "d.csv, line 2: the event type is empty"),
        ("e.csv", "text,event_type\nx,flood,extra\n", "e.csv, line 2: more fields"),
        ("f.jsonl", '{"text": "x", "event_type": "flood"}\n{"text": \n', "f.jsonl, line 2: not"),
        ("g.jsonl", '["x", "flood"]\n', "g.jsonl, line 1: not a JSON object"),
        ("h.csv", "text,event_type\n", "h.csv: no labelled reports"),
    ],
)
def test_a_bad_file_names_the_line_and_the_reason(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_labelled(write(tmp_path / name, content))
    assert message in caught.value.message


def test_a_multiline_record_is_counted_by_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", 'text,event_type\n"two\nlines",flood\n"x",nothing\n')
    with pytest.raises(InvalidInput, match="line 4: unknown event type 'nothing'"):
        read_labelled(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,event_type\nSərhəd,flood\n".encode("utf-16"))
    with pytest.raises(InvalidInput, match=r"latin1\.csv"):
        read_labelled(path)
