"""CSV and JSON-lines structure: the header is the header, ; and tab files load, structural errors name the
physical line and the fix, messages count blank lines, and every record is accounted for."""
from __future__ import annotations

import csv

import pytest

from entities import db
from entities.cli import main
from entities.ingest import importer, textfile

HEADER = ["integration_id", "type", "status", "retriever_ref", "last_updated"]
ROWS = [["1", "order", "synced", "#7001", "2026-11-26T10:00:00Z"],
        ["1", "order", "error", "#7002", "2026-11-26T10:00:00Z"]]


def count(path, sql: str):
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def csv_text(delimiter: str, rows=ROWS, header=HEADER) -> str:
    return "".join(delimiter.join(r) + "\n" for r in [header, *rows])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_csv_in_each_delimiter_loads_every_row(delimiter, fixture_db, tmp_path, capsys):
    """An export from Excel in a Swedish locale (;) or a tab-separated one loads like a comma-separated one."""
    path = tmp_path / "entities.csv"
    path.write_text(csv_text(delimiter))

    assert main(["import", "--db", str(fixture_db), str(path)]) == 0

    assert "entities.csv     2       2" in capsys.readouterr().out
    assert count(fixture_db, "select count(*) from entities where retriever_ref in ('#7001', '#7002')") == 2


def test_first_data_row_is_never_taken_for_a_header_or_skipped(fixture_db, tmp_path):
    """A one-row file whose only data row looks like the header still loads that row."""
    path = tmp_path / "entities.csv"
    path.write_text(csv_text(",", rows=[["1", "order", "synced", "type", "2026-11-26T10:00:00Z"]]))
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    assert count(fixture_db, "select count(*) from entities where retriever_ref = 'type'") == 1


def test_semicolon_csv_with_decimal_commas_loads_the_amounts(fixture_db, tmp_path):
    """A Nordic ERP's semicolon CSV writes 19,90: the amount loads as 19.90, the text fields stay as written."""
    path = tmp_path / "children.csv"
    path.write_text("integration_id;entity_type;entity_ref;line_no;retriever_ref;description;quantity;amount;status\n"
                    "1;order;#1003;9;SKU-9;Vinterjacka, stl 42;1,5;19,90;synced\n")
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    con = db.connect(fixture_db, read_only=True)
    assert con.execute("select description, quantity::varchar, amount::varchar from children where line_no = 9"
                       ).fetchall() == [("Vinterjacka, stl 42", "1.500", "19.90")]
    con.close()


STRUCTURE = [
    ("extra cell", csv_text(",") + "1,order,synced,#7003,2026-11-26T10:00:00Z,oops\n",
     "line 4 has 6 fields but the header has 5"),
    ("missing cell", csv_text(";") + "1;order;synced;#7003\n", "line 4 has 4 fields but the header has 5"),
    ("unterminated quote", csv_text(",") + '1,order,synced,"#7003,2026-11-26T10:00:00Z\n',
     "line 4: unexpected end of data (a quote that is never closed?)"),
    ("latin-1", None, "line 3 is not UTF-8 (byte 0xe4 at column 19): save the file as UTF-8"),
    ("empty", "", "the file is empty"),
]


@pytest.mark.parametrize(("case", "text", "problem"), STRUCTURE, ids=[s[0] for s in STRUCTURE])
def test_broken_csv_names_the_line_and_loads_nothing(case, text, problem, fixture_db, tmp_path, capsys):
    """A CSV file with a structural error is refused with the physical line and the fix; nothing of it loads."""
    path = tmp_path / "entities.csv"
    if text is None:
        path.write_bytes(csv_text(",", rows=[ROWS[0], ["1", "order", "synced", "#Fj\xe4ll", "x"]]).encode("latin-1"))
    else:
        path.write_text(text)

    assert main(["import", "--db", str(fixture_db), str(path)]) == 1

    out = capsys.readouterr().out
    assert problem in out and "nothing from this file was loaded" in out
    assert count(fixture_db, "select count(*) from entities where retriever_ref like '#70%'") == 0


def test_jsonl_rejects_and_errors_count_blank_lines(fixture_db, tmp_path, capsys):
    """With blank lines in a JSON-lines file, a rejected row is reported on the line an editor shows."""
    good = '{"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7001", ' \
           '"last_updated": "2026-11-26T10:00:00Z"}'
    path = tmp_path / "entities.jsonl"
    path.write_text(f"{good}\n\n   \n{good.replace('synced', 'done').replace('7001', '7002')}\n")

    assert main(["import", "--db", str(fixture_db), str(path)]) == 2

    with importer.rejects_path(path).open(newline="") as f:
        assert [r["row"] for r in csv.DictReader(f)] == ["4"]
    broken = tmp_path / "entities-broken.jsonl"
    broken.write_text(f"{good}\n\n{good[:30]}\n")
    assert main(["import", "--db", str(fixture_db), str(broken)]) == 1
    assert "line 3: unexpected end of data" in capsys.readouterr().out


def test_quoted_newlines_keep_later_rows_on_their_physical_lines(fixture_db, tmp_path):
    """A CSV description spanning two lines: the bad row after it is reported on its own physical line."""
    path = tmp_path / "entities.csv"
    path.write_text(",".join(HEADER + ["error_message"]) + "\n"
                    '1,order,error,#7001,2026-11-26T10:00:00Z,"two\nlines"\n'
                    "1,order,done,#7002,2026-11-26T10:00:00Z,x\n")
    assert main(["import", "--db", str(fixture_db), str(path)]) == 2
    with importer.rejects_path(path).open(newline="") as f:
        assert [r["row"] for r in csv.DictReader(f)] == ["4"]


@pytest.mark.parametrize(("counts", "records"), [
    ({"read": 3, "inserted": 1, "updated": 0, "unchanged": 1, "rejected": 0}, 3),
    ({"read": 2, "inserted": 1, "updated": 0, "unchanged": 1, "rejected": 0}, 3),
])
def test_rows_that_would_vanish_stop_the_file(counts, records, tmp_path):
    """If rows read, loaded, updated, unchanged and rejected do not add up to the file's records, the file fails."""
    source = importer.Source(tmp_path / "entities.csv", "entities", "csv")
    with pytest.raises(importer.ReadFailed, match="refusing to load a file that would lose rows"):
        importer.check_invariant(source, textfile.Layout(records=records), counts)


@pytest.mark.parametrize("bad", ["folder", "missing.jsonl", "orders.jsonl"])
def test_a_bad_argument_stops_the_command_before_anything_loads(bad, fixture_db, tmp_path, capsys):
    """`entities import data/samples/*` with a folder (or a missing or unnamed file) among the files loads nothing."""
    good = tmp_path / "entities.jsonl"
    good.write_text('{"integration_id": 1, "type": "order", "status": "synced", "retriever_ref": "#7001", '
                    '"last_updated": "2026-11-26T10:00:00Z"}\n')
    (tmp_path / "folder").mkdir()
    (tmp_path / "orders.jsonl").write_text("{}\n")

    assert main(["import", "--db", str(fixture_db), str(good), str(tmp_path / bad)]) == 1

    err = capsys.readouterr().err
    assert f"{tmp_path / bad}: " in err and "nothing was loaded" in err
    assert count(fixture_db, "select count(*) from entities where retriever_ref = '#7001'") == 0


def test_a_bad_argument_does_not_create_the_database(tmp_path):
    """A folder given by mistake leaves no new, empty database file behind."""
    target = tmp_path / "new.duckdb"
    assert main(["import", "--db", str(target), str(tmp_path)]) == 1
    assert not target.exists()
