"""Folder names the command line makes: distinct names never share a folder, and an
empty --out is an error, not 'no --out'."""

from __future__ import annotations

import pytest

from cli.run import out_dirs, slug
from scenarios.errors import ScenarioError

pytestmark = pytest.mark.unit


def test_names_that_differ_only_in_unsafe_or_cut_characters_get_different_folders():
    long = "x" * 150
    names = [f"{long}[rack_kw=20]", f"{long}[rack_kw=25]", "a/b", "a:b", "a b", "a_b", "plain"]
    slugs = [slug(n) for n in names]
    assert len(set(slugs)) == len(names), slugs
    assert slug("plain") == "plain" and all(len(s) <= 120 for s in slugs)


@pytest.mark.parametrize("out", ["", "   ", "."])
def test_an_empty_or_dot_out_is_refused_for_one_run(out):
    with pytest.raises(ScenarioError, match="--out"):
        out_dirs(["a"], out)


def test_several_runs_go_into_the_out_folder_even_the_current_one():
    assert [p.name for p in out_dirs(["a", "b"], ".")] == ["a", "b"]
    with pytest.raises(ScenarioError, match="--out is empty"):
        out_dirs(["a", "b"], "")
