"""An uploaded scenario reads no file but this session's uploads, however the path is spelled.

Property-style: every server path is combined with every spelling a careless or hostile
user could write (trailing separators and dots, ``..``, doubled separators, ``~``,
relative forms, links, upper-case endings, whitespace, NUL bytes, URLs), in every field
that names a file. Each must be refused with one and the same message, whether or not the
path exists, and nothing of the file's content may show; only the exact path of an
upload passes.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import PATH_FIELDS, file_fields, set_field
from ui import uploads

pytestmark = pytest.mark.unit

SECRET = "TOP-SECRET-SERVER-CONTENT"


def _spellings(target: str) -> list[str]:
    """Many ways to write one path (none of them the canonical path of an upload)."""
    t = target
    out = {
        t + "/", t + "/.", t + "//", t + "/./", t + "/.//.", t + "/./.",
        t.replace("/", "//"), t.replace("/", "/./"), " " + t, t + " ", t + "\t",
        t + "\x00", t + "\x00.epw", t + "/x/..", t + "/x/../", "file://" + t,
        t.upper(), t.replace("/", "\\"), t + ".", t + "..",
    }  # fmt: skip
    parts = t.strip("/").split("/")
    out.add("/" + "/".join(p + "/../" + p for p in parts))
    out.add("../" * 12 + t.lstrip("/"))
    out.add("./" + t.lstrip("/"))
    out.add(t.lstrip("/"))
    return sorted(out)


@pytest.fixture
def server(tmp_path: Path) -> dict[str, Path]:
    """A session folder with one upload, and files of the server's outside it."""
    session = tmp_path / "session"
    session.mkdir()
    upload = uploads.save_upload("weather.epw", b"LOCATION,x\n", session)
    outside = tmp_path / "server"
    outside.mkdir()
    files = {}
    for name in ("secret.epw", "secret.csv", "passwd", "secret.tm2"):
        path = outside / name
        path.write_text(f"LOCATION,{SECRET}\n{SECRET}\n", encoding="utf-8")
        files[name] = path
    # links inside and outside the upload folder that point at the server's files
    link_in_uploads = upload.parent / "link.epw"
    link_in_uploads.symlink_to(files["secret.epw"])
    linked_dir = upload.parent.parent / "linked"
    linked_dir.symlink_to(outside, target_is_directory=True)
    return {
        "session": session,
        "upload": upload,
        "link_in_uploads": link_in_uploads,
        "via_linked_dir": linked_dir / "secret.epw",
        **files,
    }


def _targets(server: dict[str, Path]) -> list[str]:
    session, upload = server["session"], server["upload"]
    existing = [str(server[n]) for n in ("secret.epw", "secret.csv", "passwd", "secret.tm2")]
    missing = [str(Path(p).with_name("missing.epw")) for p in existing[:1]]
    return [
        *existing,
        *missing,
        "/etc/passwd",
        "/etc/hostname",
        "~/.bashrc",
        "~root/.ssh/id_rsa",
        str(server["link_in_uploads"]),
        str(server["via_linked_dir"]),
        str(session / "weather.epw"),
        str(session / uploads.UPLOADS / "weather.epw"),
        str(upload.parent / ".." / upload.parent.name / upload.name),
        str(upload.parent.parent / ".." / uploads.UPLOADS / upload.parent.name / upload.name),
    ]


def test_every_spelling_of_a_server_path_is_refused_with_one_message(server):
    session = server["session"]
    base = example_data("default")
    values = sorted({s for t in _targets(server) for s in [t, *_spellings(t)]})
    # the upload itself, spelled any other way than its exact path, is refused too
    values += [s for s in _spellings(str(server["upload"]))]
    assert len(values) > 300
    messages = set()
    for field, value in itertools.product(PATH_FIELDS, values):
        data = example_data("default") if field == "site.climate" else _with_field(base, field)
        set_field(data, field, value)
        assert field in file_fields(data), (field, value)  # a file, however spelled
        with pytest.raises(ScenarioError) as caught:
            uploads.check_paths(data, session)
        text = str(caught.value)
        assert SECRET not in text and field in text
        messages.add(text.removeprefix(f"{field}: "))
    assert messages == {uploads.NOT_AN_UPLOAD}


def _with_field(base: dict, field: str) -> dict:
    """The default scenario with the sections a path field lives in."""
    data = {**base}
    data["grid"] = {**base["grid"]}
    if field.startswith("grid.carbon"):
        data["grid"]["carbon"] = {"source": "file", "file": ""}
    elif field.startswith("grid.market"):
        data["grid"]["market"] = {"carbon_free_file": ""}
    elif field.startswith("grid.price"):
        data["grid"]["price"] = {"source": "file", "file": ""}
    elif field.startswith("workload"):
        data["workload"] = {"jobs": ""}
    elif field.startswith("forecast"):
        data["forecast"] = {"method": "file", "file": ""}
    elif field.startswith("onsite."):
        data["onsite"] = {field.split(".")[1]: {"csv": ""}}
    elif field.startswith("heat_reuse."):
        data["heat_reuse"] = {"demand": "csv", "csv": "", "supply_c": 45,
                              "price_per_kwh_th": 0.1}
    return data


def test_only_the_exact_path_of_an_upload_passes(server):
    data = example_data("default")
    data["site"]["climate"] = str(server["upload"])
    uploads.check_paths(data, server["session"])
    assert file_fields(data) == {"site.climate": str(server["upload"])}


@pytest.mark.parametrize("name", ["shanghai", " Shanghai ", "GREENSBORO", "miami"])
def test_built_in_climate_names_are_not_files(name):
    data = example_data("default")
    data["site"]["climate"] = name
    assert "site.climate" not in file_fields(data)


@pytest.mark.parametrize(
    "value", ["/any/file.epw/", "/x.csv/.", "../../etc/passwd/.", "weather", "x.EPW ", "~/w.tm2"]
)
def test_a_climate_that_is_not_a_name_is_a_file_whatever_its_ending(value):
    data = example_data("default")
    data["site"]["climate"] = value
    assert file_fields(data) == {"site.climate": value}


def test_the_message_is_the_same_whether_or_not_the_file_exists(server, tmp_path):
    data = example_data("default")
    texts = []
    for path in (server["secret.epw"], tmp_path / "server" / "nothing-here.epw"):
        data["site"]["climate"] = f"{path}/."
        with pytest.raises(ScenarioError) as caught:
            uploads.check_paths(data, server["session"])
        texts.append(str(caught.value))
    assert texts[0] == texts[1]


def test_a_non_text_value_in_a_path_field_is_refused(server):
    data = _with_field(example_data("default"), "workload.jobs")
    data["workload"]["jobs"] = ["/etc/passwd"]
    with pytest.raises(ScenarioError, match=r"workload\.jobs"):
        uploads.check_paths(data, server["session"])


def test_saved_uploads_are_named_by_their_resolved_path(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    path = uploads.save_upload("w.epw", b"LOCATION\n", alias)
    assert str(path) == os.path.realpath(path)
    data = example_data("default")
    data["site"]["climate"] = str(path)
    uploads.check_paths(data, alias)


@pytest.mark.parametrize(
    "content",
    [
        b"a = " + b"[" * 5000 + b"]" * 5000,
        b"x = 1\n" + b"\x00" * 10,
        b"name = 'x'\n" + b"\xff\xfe" * 10,
    ],
    ids=["deeply-nested", "binary", "not-utf8"],
)
def test_an_uploaded_scenario_is_parsed_by_the_cli_s_checked_parser(content):
    with pytest.raises(ScenarioError, match=r"mine\.toml"):
        uploads.check_upload("mine.toml", content, "scenario")
