"""CLI input formats: JSON, JSON lists, JSON Lines, plain text, bad files reported not dropped."""

import json

from worker.cli.inputs import parse_text, read_inputs


def test_json_object_list_and_lines(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"text": "a"}))
    (tmp_path / "many.json").write_text(json.dumps([{"text": "b"}, {"text": "c"}]))
    (tmp_path / "lines.jsonl").write_text('{"text": "d"}\n\n{"text": "e"}\n')
    (tmp_path / "plain.txt").write_text("{not json} just text")
    items = list(read_inputs([str(tmp_path / n) for n in
                              ("one.json", "many.json", "lines.jsonl", "plain.txt")]))
    assert [i.payload["text"] for i in items] == ["a", "b", "c", "d", "e", "{not json} just text"]
    assert items[2].origin.endswith("many.json[1]")
    assert items[4].origin.endswith("lines.jsonl:3")


def test_bad_lines_are_reported_with_their_origin(tmp_path):
    (tmp_path / "mixed.jsonl").write_text('{"text": "ok"}\n{broken\n')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    items = list(read_inputs([str(tmp_path / "mixed.jsonl"), str(tmp_path / "binary.json"),
                              str(tmp_path / "missing.json")]))
    assert items[0].payload == {"text": "ok"}
    assert items[1].error.startswith("invalid JSON") and items[1].origin.endswith(":2")
    assert "not UTF-8" in items[2].error
    assert "cannot read" in items[3].error


def test_stdin_detects_json_lines_and_plain_text():
    assert [i.payload for i in parse_text('{"text":"a"}\n{"text":"b"}', "<stdin>", suffix="")] == \
        [{"text": "a"}, {"text": "b"}]
    assert [i.payload for i in parse_text("Plain words.", "<stdin>", suffix="")] == \
        [{"text": "Plain words."}]


def test_absurd_nesting_is_an_error_not_a_crash():
    [item] = list(parse_text("[" * 200_000, "deep.json", suffix=".json"))
    assert item.error and "nested too deeply" in item.error
