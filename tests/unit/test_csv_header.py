"""Every column of a jobs, signals or pods CSV is one coolshift reads, named once.

A misspelt column used to be dropped without a word: a fleet's jobs file with ``site``
for ``sites`` lost every job's data residency, and ``data_TB`` every transfer.
"""

import pytest

from optimizer.errors import ScheduleInputError
from optimizer.readers import read_jobs, read_pods, read_signals

pytestmark = pytest.mark.unit

HEADER = "job_id,release,deadline,duration_h,power_kw,preemptible"
ROW = "j1,2025-07-01T00:00:00+08:00,2025-07-02T00:00:00+08:00,2,100,false"


def _jobs(tmp_path, extra_header: str, extra_row: str):
    path = tmp_path / "jobs.csv"
    path.write_text(f"{HEADER}{extra_header}\n{ROW}{extra_row}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fleet", [False, True])
@pytest.mark.parametrize(("column", "meant"), [("pod", "pods"), ("Max Interruptions",
                                                                 "max_interruptions"),
                                               ("max_interuptions", "max_interruptions")])
def test_a_misspelt_column_is_refused_naming_it_and_the_column_meant(tmp_path, fleet, column,
                                                                      meant):
    path = _jobs(tmp_path, f",{column}", ",x")
    with pytest.raises(ScheduleInputError,
                       match=rf"jobs\.csv: column 7 '{column}' is not a column coolshift reads; "
                             rf"did you mean '{meant}'\?"):
        read_jobs(path, fleet=fleet)


@pytest.mark.parametrize(("column", "meant"), [("site", "sites"), ("data_TB", "data_tb"),
                                               ("Home", "home")])
def test_a_misspelt_fleet_column_is_named_as_meant_in_a_fleet_only(tmp_path, column, meant):
    """A one-site run does not read the fleet's columns: pointing it at one would have the
    column renamed and then dropped, so there it is refused with no suggestion."""
    path = _jobs(tmp_path, f",{column}", ",x")
    with pytest.raises(ScheduleInputError, match=rf"'{column}' is not a column coolshift "
                                                 rf"reads; did you mean '{meant}'\?"):
        read_jobs(path, fleet=True)
    with pytest.raises(ScheduleInputError) as caught:
        read_jobs(path)
    assert f"'{column}' is not a column coolshift reads; the file needs" in str(caught.value)


def test_an_unrelated_column_is_refused_with_the_columns_the_file_may_have(tmp_path):
    with pytest.raises(ScheduleInputError, match=r"column 7 'notes' is not a column coolshift "
                                                 r"reads; the file needs the columns job_id,.*"
                                                 r"rename this one or remove it"):
        read_jobs(_jobs(tmp_path, ",notes", ",hi"))


def test_a_file_missing_a_required_column_says_so_first_with_the_column_meant(tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")  # not a jobs file at all
    with pytest.raises(ScheduleInputError, match=r"jobs\.csv: missing column\(s\) job_id, "
                                                 r"release, .*; the file needs the columns"):
        read_jobs(path)
    path.write_text(f"{HEADER.replace('job_id', 'Job ID')}\n{ROW}\n", encoding="utf-8")
    with pytest.raises(ScheduleInputError, match=r"missing column\(s\) job_id \('Job ID' looks "
                                                 r"meant as 'job_id'\)"):
        read_jobs(path)


def test_a_column_named_twice_is_refused_naming_both_positions(tmp_path):
    with pytest.raises(ScheduleInputError, match=r"the column 'power_kw' is named twice in the "
                                                 r"header \(columns 5 and 7\)"):
        read_jobs(_jobs(tmp_path, ",power_kw", ",200"))


def test_a_nameless_empty_column_is_left_out_and_a_nameless_filled_one_refused(tmp_path):
    assert list(read_jobs(_jobs(tmp_path, ",", ","))["power_kw"]) == [100.0]
    with pytest.raises(ScheduleInputError, match=r"column 7 has no name in the header but "
                                                 r"row 2 has a value in it"):
        read_jobs(_jobs(tmp_path, ",", ",7"))


def test_fleet_columns_are_read_by_a_fleet_and_accepted_unread_by_one_site(tmp_path):
    path = _jobs(tmp_path, ",home,sites,data_tb", ",west,west|east,3.5")
    one_site = read_jobs(path)
    assert "sites" not in one_site.columns and "home" not in one_site.columns
    fleet = read_jobs(path, fleet=True)
    assert fleet.loc[0, "sites"] == "west|east" and fleet.loc[0, "data_tb"] == 3.5


def test_a_nameless_first_column_is_a_row_index_and_left_out(tmp_path):
    """pandas' to_csv (index=True, its default) and R's write.csv write one."""
    path = tmp_path / "jobs.csv"
    path.write_text(f",{HEADER}\n0,{ROW}\n", encoding="utf-8")
    jobs = read_jobs(path)
    assert list(jobs["job_id"]) == ["j1"] and list(jobs["power_kw"]) == [100.0]


def test_quoted_names_with_a_space_after_the_comma_are_read_as_named(tmp_path):
    path = tmp_path / "jobs.csv"
    quoted = ", ".join(f'"{c}"' for c in HEADER.split(","))
    path.write_text(f"{quoted}\n{ROW}\n", encoding="utf-8")
    assert list(read_jobs(path)["power_kw"]) == [100.0]


def test_a_blank_line_before_the_header_is_not_a_nameless_column(tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text(f"\n{HEADER}\n{ROW}\n", encoding="utf-8")
    assert list(read_jobs(path)["job_id"]) == ["j1"]


def test_signals_and_pods_files_are_checked_the_same_way(tmp_path):
    signals = tmp_path / "signals.csv"
    signals.write_text("timestamp,price_per_kwh,carbon_g_per_kwh,carbon_g_per_kWh\n"
                       "2025-07-01T00:00:00+08:00,0.5,500,500\n", encoding="utf-8")
    with pytest.raises(ScheduleInputError, match=r"signals\.csv: column 4 'carbon_g_per_kWh' "
                                                 r"is not a column .* did you mean "
                                                 r"'carbon_g_per_kwh'\?"):
        read_signals(signals)
    good = tmp_path / "good.csv"
    good.write_text("timestamp,price_per_kwh,carbon_g_per_kwh\n"
                    "2025-07-01T00:00:00+08:00,0.5,500\n", encoding="utf-8")
    pods = tmp_path / "pods.csv"
    pods.write_text("pod,capacity_kw,cooling_kw\np1,100,90\n", encoding="utf-8")
    with pytest.raises(ScheduleInputError, match=r"pods\.csv: column 3 'cooling_kw' is not a "
                                                 r"column coolshift reads"):
        read_pods(pods, read_signals(good).index)
