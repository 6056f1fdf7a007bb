"""Row numbers in messages are the rows a spreadsheet or an editor shows.

pandas' CSV reader skips blank lines, so "the k-th record + 1" names the wrong row of a
file with a blank line in it. Every reader numbers rows by
:func:`optimizer.readers.spreadsheet_rows`: the header is row 1, and blank lines and the
lines inside quoted cells count.
"""

import io

import pandas as pd
import pytest

from optimizer.readers import file_row_of, read_jobs, read_signals, spreadsheet_rows
from scenarios.errors import ScenarioError, in_jobs_file
from scenarios.importers import read_carbon

JOB_HEADER = "job_id,release,deadline,duration_h,power_kw,preemptible"
JOB = "{},2023-07-10T00:00:00+08:00,2023-07-11T00:00:00+08:00,2,100,false"


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("a,b\n1,2\n3,4\n", [2, 3]),
        ("a,b\n1,2\n\n3,4\n", [2, 4]),
        ("a,b\n\n\n1,2\n   \n3,4\n\n", [4, 6]),  # blank and whitespace-only lines
        ("a,b\r\n1,2\r\n\r\n3,4\r\n", [2, 4]),  # Windows line ends
        ('a,b\n"two\nlines",2\n3,4\n', [2, 4]),  # a quoted cell over two lines
        ("a,b\n1,2\n,\n3,4\n", [2, 3, 4]),  # a row of empty cells is a row (pandas keeps it)
        ("\na,b\n1,2\n", [3]),  # a blank line before the header
    ],
)
def test_rows_are_counted_as_the_file_shows_them(text, rows):
    assert list(spreadsheet_rows(text)) == rows
    kept = len(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    assert list(spreadsheet_rows(text, kept)) == rows  # one number per record pandas keeps


def test_a_count_the_scan_cannot_match_falls_back_to_records_from_row_2():
    assert list(spreadsheet_rows("a,b\n1,2\n", 3)) == [2, 3, 4]


def test_the_jobs_reader_names_the_row_after_a_blank_line(tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text("\n".join([JOB_HEADER, JOB.format("a"), "", JOB.format("b").replace(
        ",2,100,", ",two,100,")]) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"jobs.csv row 4, column 'duration_h': 'two'"):
        read_jobs(path)


def test_the_signals_reader_names_the_row_after_blank_lines(tmp_path):
    path = tmp_path / "signals.csv"
    path.write_text("timestamp,price_per_kwh,carbon_g_per_kwh\n"
                    "2023-07-10T00:00:00+08:00,0.5,500\n\n\n"
                    "2023-07-10T01:00:00+08:00,cheap,500\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"signals.csv row 5, column 'price_per_kwh'"):
        read_signals(path)


def test_the_importers_name_the_row_after_a_blank_line(tmp_path):
    path = tmp_path / "carbon.csv"
    path.write_text("timestamp,value\n2023-01-01T00:00:00Z,1\n\n2023-01-01T01:00:00Z,lots\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="row 4, column 'value': 'lots' is not a number"):
        read_carbon(path)


def test_an_optimizer_message_about_the_jobs_table_names_the_files_rows(tmp_path):
    """The optimizer numbers the jobs table's rows from 1; the file's rows skip a blank line
    and a header, and a message naming two rows maps both."""
    path = tmp_path / "jobs.csv"
    path.write_text("\n".join([JOB_HEADER, JOB.format("x"), "", "", JOB.format("x")]) + "\n",
                    encoding="utf-8")
    assert [file_row_of(path, k) for k in (1, 2)] == [2, 5]
    said = in_jobs_file(ValueError("jobs row 2, column 'job_id': 'x' repeats row 1"), path)
    assert isinstance(said, ScenarioError)
    assert str(said) == f"{path}: row 5, column 'job_id': 'x' repeats row 2"


def _november_in_new_york(path):
    """A whole New York November (721 h: the clocks go back on the 5th), each hour with
    its local offset, as an export from a US market gives it."""
    hours = pd.date_range("2023-11-01", "2023-12-01", freq="h", tz="America/New_York",
                          inclusive="left")
    path.write_text("timestamp,price_per_kwh,carbon_g_per_kwh\n" + "".join(
        f"{h.isoformat()},0.1,400\n" for h in hours), encoding="utf-8")
    return hours


def test_signals_whose_offset_changes_need_the_zone_and_are_then_billed_on_its_months(tmp_path):
    from optimizer.problem import billing_months

    path = tmp_path / "signals.csv"
    hours = _november_in_new_york(path)
    assert len(hours) == 721
    with pytest.raises(Exception, match=r"signals.csv row 100, column 'timestamp': the UTC "
                                        r"offset changes here \(-0400 before, -0500"):
        read_signals(path)  # 2023-11-05 01:00 EST is the 99th hour: the file's row 100
    signals = read_signals(path, timezone="America/New_York")
    _, months, share = billing_months(signals.index)
    assert months == ("2023-11",) and share.tolist() == [1.0]
