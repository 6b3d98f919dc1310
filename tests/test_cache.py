"""The cache against what could make it lie: a key that misses something the verdict read, a file
swapped while it is read, a key or cache committed to the repository, links in the cache folder,
runs killed while writing. And what a run costs: only the entries of the units it touches."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint import cache_store
from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.sources.text import files as text

DATADOG = "464622532012"
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",'
    ' "Principal": {"AWS": "arn:aws:iam::%s:root"}%s}]}'
)
EXTERNAL_ID = ', "Condition": {"StringEquals": {"sts:ExternalId": "d7f1c2a9b3e84f60"}}'
TEMPLATE = """Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::464622532012:root"}
            Action: sts:AssumeRole%s
"""
EXTERNAL_ID_YAML = """
            Condition: {StringEquals: {sts:ExternalId: d7f1c2a9b3e84f60}}"""
MODULE = """variable "external_id" {
  default = ""
}

resource "aws_iam_role" "vendor" {
  name               = "vendor"
  assume_role_policy = %s
}
"""
ENCODED = """jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })"""


def _shown(result: object) -> list[str]:
    return [json.dumps(f.__dict__, default=str, sort_keys=True) for f in result.findings]  # type: ignore[attr-defined]


def _cached_equals_fresh() -> list[str]:
    cached = run(["."], Config(), use_cache=True)
    fresh = run(["."], Config())
    assert _shown(cached) == _shown(fresh)
    return [f"{f.rule} {f.path}:{f.line}" for f in cached.findings]


@pytest.fixture
def repo(in_tmp: Path) -> Path:
    (in_tmp / ".git").mkdir()
    return in_tmp


def test_a_new_tfvars_file_changes_the_cached_verdict_of_its_module(repo: Path) -> None:
    write_tree(repo, {"vendor/main.tf": MODULE % ENCODED})
    assert _cached_equals_fresh() == ["ISL005 vendor/main.tf:7", "ISL003 vendor/main.tf:13"]
    assert run(["."], Config(), use_cache=True).units_linted == 0
    (repo / "vendor" / "terraform.tfvars").write_text('external_id = "d7f1c2a9b3e84f60"\n')
    assert _cached_equals_fresh() == ["ISL005 vendor/main.tf:7"]


def test_a_missing_file_target_that_appears_changes_the_cached_verdict(repo: Path) -> None:
    """``file()`` of a path that does not exist yet: its appearing is part of the module's key."""
    (repo / "policies").mkdir()
    write_tree(repo, {"modules/vendor/main.tf": MODULE % 'file("${path.module}/../../policies/trust.txt")'})
    before = _cached_equals_fresh()
    assert any(row.startswith("ISL009 modules/vendor/main.tf") for row in before)
    (repo / "policies" / "trust.txt").write_text(TRUST % (DATADOG, ""))
    after = _cached_equals_fresh()
    assert "ISL001 policies/trust.txt:1" in after and not any(row.startswith("ISL009") for row in after)


def test_a_file_swapped_while_it_is_read_is_never_served_from_the_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is swapped between what the run looked at and what the reader parsed (the reader
    sees the safe template, the file holds the unsafe one before and after): the entry is keyed by
    the bytes parsed, so the next run reads the unsafe template and reports it."""
    safe, unsafe = TEMPLATE % EXTERNAL_ID_YAML, TEMPLATE % ""
    write_tree(repo, {"stacks/vendor.yaml": unsafe})
    original = text._read_bytes
    swapped: list[str] = []

    def swapping(path: str, max_bytes: int) -> bytes | str | OSError:
        found = original(path, max_bytes)
        if path.endswith("vendor.yaml") and not swapped:
            swapped.append(path)
            return safe.encode()
        return found

    monkeypatch.setattr(text, "_read_bytes", swapping)
    assert [f.rule for f in run(["."], Config(), use_cache=True).findings] == ["ISL005"]
    monkeypatch.setattr(text, "_read_bytes", original)
    again = run(["."], Config(), use_cache=True)
    assert again.units_linted == 1
    assert sorted(f.rule for f in again.findings) == ["ISL001", "ISL005"]


def test_a_key_inside_the_checkout_is_never_trusted(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``XDG_CACHE_HOME`` pointing into the repository: a committed key would let a committed cache
    say anything, so there is no cache at all (and nothing is written)."""
    write_tree(repo, {"roles/vendor/trust.json": TRUST % (DATADOG, "")})
    monkeypatch.setenv("XDG_CACHE_HOME", str(repo / ".cache"))
    first = run(["."], Config(), use_cache=True)
    assert sorted(f.rule for f in first.findings) == ["ISL001", "ISL005"]
    assert run(["."], Config(), use_cache=True).units_linted == 2
    assert not (repo / ".cache").exists() and not (repo / ".iam-saas-lint-cache").exists()
    # nor below a scanned folder outside the repository
    outside = repo / "scanned"
    monkeypatch.setenv("XDG_CACHE_HOME", str(outside / "xdg"))
    write_tree(outside, {"trust.json": TRUST % (DATADOG, "")})
    assert run([str(outside)], Config(), use_cache=True).units_linted == 2
    assert not (outside / "xdg").exists()


def test_no_cache_outside_a_repository(in_tmp: Path) -> None:
    write_tree(in_tmp, {"roles/vendor/trust.json": TRUST % (DATADOG, "")})
    run(["."], Config(), use_cache=True)
    assert run(["."], Config(), use_cache=True).units_linted == 2
    assert not (in_tmp / ".iam-saas-lint-cache").exists()


def test_links_in_the_cache_folder_are_never_followed(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write_tree(repo, {"roles/vendor/trust.json": TRUST % (DATADOG, "")})
    (repo / ".iam-saas-lint-cache").symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):
        assert run(["."], Config(), use_cache=True).units_linted == 2
    assert list(elsewhere.iterdir()) == []

    (repo / ".iam-saas-lint-cache").unlink()
    (repo / ".iam-saas-lint-cache").mkdir()
    (repo / ".iam-saas-lint-cache" / ".gitignore").symlink_to(elsewhere / "planted")
    (repo / ".iam-saas-lint-cache" / "entries").symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):
        assert run(["."], Config(), use_cache=True).units_linted == 2
    assert list(elsewhere.iterdir()) == []


def test_writes_leave_no_temporary_files_and_clear_those_of_killed_runs(repo: Path) -> None:
    write_tree(repo, {f"roles/r{n}/trust.json": TRUST % (DATADOG, "") for n in range(5)})
    run(["."], Config(), use_cache=True)
    temporaries = repo / ".iam-saas-lint-cache" / "tmp"
    assert list(temporaries.iterdir()) == []
    # a run killed between writing an entry and renaming it (no process has this id any more)
    (temporaries / "999999999-0a1b2c3d4e5f").write_text("half an entry")
    (repo / "roles" / "r0" / "trust.json").write_text(TRUST % (DATADOG, EXTERNAL_ID))
    run(["."], Config(), use_cache=True)
    assert list(temporaries.iterdir()) == []


def test_entries_unused_for_a_month_are_pruned(repo: Path) -> None:
    write_tree(repo, {f"roles/r{n}/trust.json": TRUST % (DATADOG, "") for n in range(3)})
    run(["."], Config(), use_cache=True)
    entries = sorted(p for p in (repo / ".iam-saas-lint-cache" / "entries").rglob("*") if p.is_file())
    assert len(entries) == 6
    old = os.stat(entries[0]).st_mtime - cache_store.MAX_AGE - 3600
    for path in [*entries, repo / ".iam-saas-lint-cache" / "pruned"]:
        os.utime(path, (old, old))
    (repo / "roles" / "r2").rename(repo / "gone")
    os.remove(repo / "gone" / "trust.json")
    os.rmdir(repo / "gone")
    run(["."], Config(), use_cache=True)  # reads (and so keeps) the entries of r0 and r1
    left = sorted(p for p in (repo / ".iam-saas-lint-cache" / "entries").rglob("*") if p.is_file())
    assert len(left) == 4


def test_a_cached_run_of_one_file_reads_only_its_own_entries(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(repo, {f"roles/r{n}/trust.json": TRUST % (DATADOG, "") for n in range(40)})
    run(["."], Config(), use_cache=True)
    reads: list[str] = []
    original = cache_store.EntryStore.read

    def counting(self: cache_store.EntryStore, key: str) -> bytes | None:
        reads.append(key)
        return original(self, key)

    monkeypatch.setattr(cache_store.EntryStore, "read", counting)
    result = run(["roles/r7/trust.json"], Config(), use_cache=True)
    assert result.units_linted == 0 and sorted(f.rule for f in result.findings) == ["ISL001", "ISL005"]
    assert len(reads) == 2  # the file's unit and its bundle


def test_cached_units_keep_their_notes_and_the_nested_files_they_read(repo: Path) -> None:
    write_tree(
        repo,
        {
            "parent.yaml": "Resources:\n  Vendor:\n    Type: AWS::CloudFormation::Stack\n"
            "    Properties:\n      TemplateURL: child.yaml\n      Parameters: {VendorAccount: '464622532012'}\n"
            "  Other:\n    Type: AWS::CloudFormation::Stack\n"
            "    Properties: {TemplateURL: 'https://bucket.s3.amazonaws.com/x.yaml'}\n",
            "child.yaml": "Parameters:\n  VendorAccount: {Type: String}\n"
            + TEMPLATE.replace('"arn:aws:iam::464622532012:root"', "!Sub 'arn:aws:iam::${VendorAccount}:root'") % "",
        },
    )
    fresh = run(["."], Config(), use_cache=True)
    cached = run(["."], Config(), use_cache=True)
    assert cached.units_linted == 0
    assert _shown(cached) == _shown(fresh)
    assert sorted((f.rule, f.role) for f in cached.findings) == [
        ("ISL001", "Vendor/VendorRole"),
        ("ISL005", "Vendor/VendorRole"),
    ]
    assert cached.notes == fresh.notes
    assert sorted(note.split(":", 1)[0] for note in cached.notes) == ["child.yaml", "parent.yaml"]
