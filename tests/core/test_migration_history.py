"""One Alembic branch per domain: the rules a history must follow, and the tree's history following them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.config import DEFAULT_DOMAINS
from thanglong.core.db import make_engine
from thanglong.core.manifest import load_manifest
from thanglong.core.migration_history import Branch, MigrationError, check_branches, load_history
from thanglong.core.testing.plugin import create_database, drop_database

REPO = Path(__file__).resolve().parents[2]


def write_revision(
    folder: Path,
    rev: str,
    down: str | None = None,
    depends_on: tuple[str, ...] | None = None,
    labels: tuple[str, ...] | None = None,
) -> None:
    """Write a revision file with the header Alembic reads and nothing else."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{rev}_test.py").write_text(
        f'"""{rev}."""\n\nrevision = {rev!r}\ndown_revision = {down!r}\n'
        f"branch_labels = {labels!r}\ndepends_on = {depends_on!r}\n",
        encoding="utf-8",
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A kernel with two revisions, alpha (no dependency) and beta (depends on alpha), all valid."""
    write_revision(tmp_path / "core", "core_0001", labels=("core",))
    write_revision(tmp_path / "core", "core_0002", down="core_0001")
    write_revision(tmp_path / "alpha", "alpha_0001", depends_on=("core_0001",), labels=("alpha",))
    write_revision(tmp_path / "beta", "beta_0001", depends_on=("alpha_0001",), labels=("beta",))
    write_revision(tmp_path / "beta", "beta_0002", down="beta_0001", depends_on=("core_0002",))
    return tmp_path


def branches(root: Path, beta_depends_on: tuple[str, ...] = ("alpha",), alpha: bool = True) -> list[Branch]:
    """Return the kernel's, alpha's (unless disabled) and beta's branches over the folders under root."""
    out = [Branch("core", "thanglong.core", root / "core")]
    if alpha:
        out.append(Branch("alpha", "x.alpha", root / "alpha"))
    out.append(Branch("beta", "x.beta", root / "beta", beta_depends_on))
    return out


def problems(root: Path, **kwargs: object) -> list[str]:
    found = check_branches(branches(root, **kwargs))[1]  # type: ignore[arg-type]
    assert all("\n" not in line for line in found)
    return found


def test_a_valid_history_reads_per_branch_and_gives_alembic_the_fewest_rows(tree: Path) -> None:
    history = load_history(branches(tree))
    assert {name: history.heads(name) for name in history.names} == {
        "core": ("core_0002",),
        "alpha": ("alpha_0001",),
        "beta": ("beta_0002",),
    }
    # beta_0002 implies everything else: its own branch, alpha through beta_0001, and core_0002.
    assert history.per_branch(["beta_0002"]) == {
        "core": ("core_0002",),
        "alpha": ("alpha_0001",),
        "beta": ("beta_0002",),
    }
    assert history.minimal(["core_0002", "alpha_0001", "beta_0002"]) == {"beta_0002"}
    assert history.minimal(["core_0002", "alpha_0001", "beta_0001"]) == {"core_0002", "beta_0001"}
    assert history.owner_of_row("beta_0009") == "beta"
    assert history.owner_of_row("gamma_0001") is None


def test_a_down_revision_into_another_domain_is_refused(tree: Path) -> None:
    write_revision(tree / "beta", "beta_0003", down="alpha_0001")
    assert problems(tree) == [
        "beta: beta_0003 has down_revision 'alpha_0001' of 'alpha': a revision follows its own domain's "
        "history and names other domains' revisions in depends_on"
    ]
    with pytest.raises(MigrationError, match=r"^beta: beta_0003 has down_revision 'alpha_0001' of 'alpha'"):
        load_history(branches(tree))


def test_a_dependency_on_a_disabled_domain_is_refused(tree: Path) -> None:
    with pytest.raises(MigrationError) as caught:
        load_history(branches(tree, alpha=False))
    assert str(caught.value) == (
        "beta: beta_0001 depends on 'alpha_0001', a revision of no enabled domain "
        "(enable the domain it belongs to before 'beta', and list it in depends_on)"
    )


def test_a_dependency_the_manifest_does_not_declare_is_refused(tree: Path) -> None:
    assert problems(tree, beta_depends_on=()) == [
        "beta: beta_0001 depends on 'alpha_0001' of 'alpha', which the manifest of 'beta' does not list "
        "in depends_on"
    ]


def test_a_dependency_already_implied_is_refused(tree: Path) -> None:
    # Alembic would try to delete core_0001's version row, which alpha_0001 has already replaced.
    write_revision(tree / "beta", "beta_0001", depends_on=("alpha_0001", "core_0001"), labels=("beta",))
    assert problems(tree) == ["beta: beta_0001 depends on 'core_0001', which 'alpha_0001' already implies"]


def test_branch_labels_ids_and_roots_are_checked(tree: Path) -> None:
    write_revision(tree / "alpha", "alpha_0001", depends_on=("core_0001",))
    write_revision(tree / "alpha", "alpha_0002", down="alpha_0001", labels=("alpha",))
    write_revision(tree / "alpha", "alpha2", down="alpha_0001")
    write_revision(tree / "beta", "beta_0007", depends_on=("core_0001",), labels=("beta",))
    assert problems(tree) == [
        "alpha: revision id 'alpha2' must be 'alpha_NNNN'",
        "alpha: alpha_0001 has branch_labels (); the first revision carries ('alpha',)",
        "alpha: alpha_0002 has branch_labels ('alpha',); only the first has any",
        "beta: a branch has exactly one first revision (found beta_0001, beta_0007)",
    ]


def test_the_trees_branches_mirror_the_manifests_depends_on() -> None:
    history = migrate.history()
    assert history.names == ("core", *DEFAULT_DOMAINS)
    for name in DEFAULT_DOMAINS:
        [root] = [r for r in history.of_branch(name) if not r.down]
        assert root.labels == (name,)
        reached = {history.revisions[rev].branch for rev in history.ancestors([root.id])} - {name}
        assert reached == {"core"} | _all_dependencies(name), name
    # Later needs across domains go through depends_on too: procedures_0004 writes core_0002's jobs.
    assert history.revisions["procedures_0004"].down == ("procedures_0003",)
    assert history.revisions["procedures_0004"].depends_on == ("core_0002",)


def _all_dependencies(name: str) -> set[str]:
    direct = set(load_manifest(name).depends_on)
    return direct.union(*(_all_dependencies(d) for d in direct))


def test_a_fresh_database_gets_one_row_per_branch(tmp_path: Path) -> None:
    url = create_database(tmp_path, "branches")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine, "identity@head")
        state = migrate.state(engine)
        assert {b.name: b.current for b in state.branches} == {
            "core": ("core_0001",),
            "identity": ("identity_0001",),
            "notify": (),
            "operations": (),
            "payments": (),
            "procedures": (),
            "terminals": (),
            "traffic": (),
        }
        assert "notify: - (head notify_0002)" in (state.problem() or "")
        migrate.upgrade(engine)
        state = migrate.state(engine)
        assert state.at_heads and state.problem() is None
        assert [b.current for b in state.branches] == [migrate.heads()[b.name] for b in state.branches]
        # Turning domains off leaves their rows alone; the kernel and identity still read as up to date.
        only_identity = migrate.state(engine, domains=["identity"])
        assert only_identity.at_heads
        assert only_identity.others == tuple(
            sorted(
                r for name, revs in migrate.heads().items() if name not in ("core", "identity") for r in revs
            )
        )
        assert "procedures_0090" in only_identity.others
        migrate.upgrade(engine, domains=["identity"])
        assert migrate.state(engine).at_heads
        assert migrate.pending_model_changes(engine, domains=["identity"]) == []
    finally:
        engine.dispose()
        drop_database(url)


BROKEN_DOMAIN = '''"""A domain whose branch needs payments without declaring it."""

from thanglong.core.manifest import DomainManifest

MANIFEST = DomainManifest(name="{name}", title_vi="Thử", title_en="Test", migrations="outside.{name}")
'''


@pytest.fixture
def broken_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An out-of-tree domain whose first revision depends on payments, which it does not declare."""
    name = "brokenbranch"
    package = tmp_path / "pkgs" / "outside" / name
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text('"""Domains outside the tree."""\n', encoding="utf-8")
    (package / "__init__.py").write_text(BROKEN_DOMAIN.format(name=name), encoding="utf-8")
    write_revision(package / "migrations", f"{name}_0001", depends_on=("payments_0001",), labels=(name,))
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    url = create_database(tmp_path, "broken")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(["identity", f"outside.{name}"]))
    yield url
    for module in ("outside", f"outside.{name}"):
        sys.modules.pop(module, None)
    drop_database(url)


def test_upgrade_and_start_refuse_a_branch_needing_a_disabled_domain(broken_domain: str) -> None:
    reason = (
        "brokenbranch: brokenbranch_0001 depends on 'payments_0001', a revision of no enabled domain "
        "(enable the domain it belongs to before 'brokenbranch', and list it in depends_on)"
    )
    result = CliRunner().invoke(build_cli(), ["db", "upgrade"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"lỗi / error: không nâng cấp được CSDL / cannot migrate the database: {reason}"
    )
    engine = make_engine(broken_domain)
    try:
        # What `thanglong worker` and the ASGI factory check before they start.
        assert migrate.schema_problem(engine, domains=["identity", "outside.brokenbranch"]) == reason
    finally:
        engine.dispose()


def test_check_domains_refuses_a_down_revision_into_another_domain(tmp_path: Path) -> None:
    package = tmp_path / "outside" / "crossbranch"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text('"""Domains outside the tree."""\n', encoding="utf-8")
    (package / "__init__.py").write_text(
        BROKEN_DOMAIN.format(name="crossbranch").replace(
            'title_en="Test"', 'title_en="Test", depends_on=("identity",)'
        ),
        encoding="utf-8",
    )
    write_revision(package / "migrations", "crossbranch_0001", down="identity_0001")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(tmp_path)]))
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "check_domains.py"), "outside.crossbranch"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert (
        "error: crossbranch: crossbranch_0001 has down_revision 'identity_0001' of 'identity': a revision "
        "follows its own domain's history and names other domains' revisions in depends_on"
    ) in result.stdout.splitlines()


def test_a_dependency_on_a_missing_revision_of_an_enabled_domain_is_named(tree: Path) -> None:
    write_revision(tree / "beta", "beta_0003", down="beta_0002", depends_on=("alpha_0002",))
    assert problems(tree) == ["beta: beta_0003 depends on 'alpha_0002', not found in 'alpha''s migrations"]
