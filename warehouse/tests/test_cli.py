"""`plc warehouse` is a registered `plc` sub-command that parses its own options."""

import duckdb
import pytest
from plc_shared import cli


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["warehouse", "--help"], "usage: plc warehouse [-h] [--once]"),
        (["warehouse", "export", "--help"], "usage: plc warehouse export"),
    ],
)
def test_plc_hands_the_whole_line_to_the_warehouse_command(argv, usage, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(usage)


def test_export_of_a_file_writes_one_parquet_file_per_table(tmp_path, capsys):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE _warehouse_offsets (topic VARCHAR); CREATE TABLE t AS SELECT 42 AS answer")
    con.close()
    assert cli.main(["warehouse", "export", str(tmp_path / "w.duckdb"), str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "out" / "t.parquet")]
    assert duckdb.connect().execute(f"SELECT answer FROM '{tmp_path / 'out' / 't.parquet'}'").fetchone() == (
        42,
    )
