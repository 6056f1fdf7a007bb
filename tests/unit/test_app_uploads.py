"""The app's upload rules: size, type and content checks, private copies, and no file of
the server's disk ever named by a scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import file_fields
from ui import uploads

EPW_HEAD = b"LOCATION,Somewhere,XX,XXX,SRC,000000,10.0,20.0,1.0,50.0\n"
TMY3_HEAD = b'723170,"GREENSBORO",NC,-5.0,36.100,-79.950,270\n'


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"),
    [
        ("a.toml", b"x" * (uploads.MAX_UPLOAD_BYTES + 1), "scenario", "limited to 20 MB"),
        ("a.txt", b"name = 'x'", "scenario", "must end in .toml"),
        ("a.toml", b"", "scenario", "is empty"),
        ("a.toml", b"[site\n", "scenario", "not valid TOML"),
        ("a.toml", b"\x00\x00binary", "scenario", "binary file"),
        ("w.epw", b"not,an,epw\n1,2,3\n", "weather", "first line must start with LOCATION"),
        ("w.csv", b"a,b\n1,2\n", "weather", "not a TMY3 weather file"),
        ("w.pdf", b"%PDF-1.4", "weather", "must end in .epw or .csv or .tm2"),
        ("c.csv", b"justonecolumn\n1\n", "carbon", "not a CSV table"),
        ("c.csv", b"timestamp,value\n", "price", "not a CSV table"),
    ],
)
def test_check_upload_rejects(name, data, kind, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        uploads.check_upload(name, data, kind)


def test_check_upload_accepts_the_documented_files():
    assert uploads.check_upload("s.toml", b"name = 'x'\n", "scenario") == "name = 'x'\n"
    uploads.check_upload("w.epw", EPW_HEAD + b"more\n", "weather")
    uploads.check_upload("w.csv", TMY3_HEAD + b"Date (MM/DD/YYYY),Time\n", "weather")
    uploads.check_upload(
        "c.csv", "\ufefftimestamp,value\n2023-01-01T00:00Z,500\n".encode(), "carbon"
    )
    uploads.check_upload(
        "p.csv", "Datetime,Price (EUR/MWh)\n2023-01-01 00:00,80\n".encode("latin-1"), "price"
    )
    uploads.check_upload(
        "j.csv",
        b"job_id,release,deadline,duration_h,power_kw,preemptible\na,2023-01-01T00:00+08:00,"
        b"2023-01-02T00:00+08:00,4,100,true\n",
        "jobs",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\x\\weather.epw", "weather.epw"),
        ("my file (1).csv", "my_file_1_.csv"),
        (".hidden.toml", "hidden.toml"),
        ("", "upload"),
    ],
)
def test_safe_name_keeps_only_the_base_name(name, expected):
    assert uploads.safe_name(name) == expected


def test_save_upload_stays_inside_the_session_folder(tmp_path):
    path = uploads.save_upload("../../../tmp/evil.csv", b"a,b\n1,2\n", tmp_path)
    assert path.resolve().is_relative_to((tmp_path / uploads.UPLOADS).resolve())
    assert path.name == "evil.csv" and path.read_bytes() == b"a,b\n1,2\n"
    other = uploads.save_upload("evil.csv", b"a,b\n3,4\n", tmp_path)
    assert other != path and path.read_bytes() == b"a,b\n1,2\n"  # content-addressed folders


def test_check_paths_refuses_any_file_outside_the_session_uploads(tmp_path):
    data = example_data("default")
    uploads.check_paths(data, tmp_path)  # climate names are not files
    inside = uploads.save_upload("jobs.csv", b"x,y\n", tmp_path)
    data["workload"] = {"jobs": str(inside)}
    uploads.check_paths(data, tmp_path)
    for bad in (
        "/etc/hosts.csv",
        "relative/jobs.csv",
        str(tmp_path / "jobs.csv"),
        str(tmp_path / uploads.UPLOADS / ".." / ".." / "x.csv"),
    ):
        data["workload"] = {"jobs": bad}
        with pytest.raises(ScenarioError, match=r"workload\.jobs.*upload it on the Site page"):
            uploads.check_paths(data, tmp_path)
    data["workload"] = {}
    data["site"]["climate"] = "/usr/share/weather.EPW"
    with pytest.raises(ScenarioError, match=r"site\.climate"):
        uploads.check_paths(data, tmp_path)


def test_attach_files_points_the_fields_at_the_uploads_or_lists_what_is_missing(tmp_path):
    data = example_data("default")
    data["site"]["climate"] = "data/Beijing.epw"
    data["grid"]["price"] = {"source": "file", "file": "/home/me/prices.csv"}
    weather = uploads.save_upload("Beijing.epw", EPW_HEAD, tmp_path)
    with pytest.raises(ScenarioError) as missing:
        uploads.attach_files(data, {"Beijing.epw": weather}, "mine.toml")
    assert "prices.csv (grid.price.file)" in str(missing.value)
    assert "Beijing.epw" not in str(missing.value)
    prices = uploads.save_upload("prices.csv", b"t,v\n1,2\n", tmp_path)
    out = uploads.attach_files(data, {"Beijing.epw": weather, "prices.csv": prices}, "mine.toml")
    assert out["site"]["climate"] == str(weather) and out["grid"]["price"]["file"] == str(prices)
    assert data["site"]["climate"] == "data/Beijing.epw"  # input unchanged
    uploads.check_paths(out, tmp_path)


def test_portable_data_turns_session_paths_into_bare_names(tmp_path):
    data = example_data("default")
    weather = uploads.save_upload("w.epw", EPW_HEAD, tmp_path)
    data["site"]["climate"] = str(weather)
    out = uploads.portable_data(data, tmp_path)
    assert out["site"]["climate"] == "w.epw"
    assert file_fields(out) == {"site.climate": "w.epw"}
    assert Path(data["site"]["climate"]).is_absolute()
