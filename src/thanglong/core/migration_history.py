"""The migration history: one Alembic branch per domain, found through the manifests, checked as a whole."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from thanglong.core.manifest import DomainManifest, domain_package

CORE = "core"
# The kernel's own revisions: the Alembic environment's versions/ folder (src/thanglong/migrations/versions).
CORE_PACKAGE = "thanglong.migrations"
CORE_FOLDER = "versions"
CORE_MODELS = "thanglong.core"
# A domain's revisions: the migrations/ folder of the package its manifest names in `migrations`.
DOMAIN_FOLDER = "migrations"
HEADER = ("revision", "down_revision", "branch_labels", "depends_on")


class MigrationError(RuntimeError):
    """A migration history or a database stamp that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Revision:
    """One revision file's header: where it sits in its branch and what it needs from others."""

    id: str
    branch: str
    down: tuple[str, ...]
    depends_on: tuple[str, ...]
    labels: tuple[str, ...]
    path: Path

    @property
    def parents(self) -> tuple[str, ...]:
        """Return every revision that must be applied before this one."""
        return self.down + self.depends_on


@dataclass(frozen=True)
class Branch:
    """The kernel's or one domain's branch: its models' package and its revisions' folder."""

    name: str
    package: str  # the package whose modules own the branch's tables
    location: Path | None  # None: the domain declares no migrations
    depends_on: tuple[str, ...] = ()  # domains, as the manifest names them

    @property
    def id_pattern(self) -> re.Pattern[str]:
        """Return the shape of the branch's revision ids: `<name>_NNNN`."""
        return re.compile(rf"{re.escape(self.name)}_\d{{4,}}")


def branches_for(entries: Sequence[str], manifests: Sequence[DomainManifest]) -> list[Branch]:
    """Return the kernel's branch and one per enabled domain, in the configured order."""
    out = [Branch(CORE, CORE_MODELS, _folder(CORE_PACKAGE, CORE_FOLDER))]
    for entry, manifest in zip(entries, manifests, strict=True):
        location = _folder(manifest.migrations, DOMAIN_FOLDER) if manifest.migrations else None
        out.append(Branch(manifest.name, domain_package(entry), location, manifest.depends_on))
    return out


def _folder(package: str, folder: str) -> Path:
    return Path(str(resources.files(package).joinpath(folder)))


def read_header(path: Path) -> dict[str, object]:
    """Read a revision file's header assignments without running the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[str, object] = {}
    for node in tree.body:
        target, value = _assignment(node)
        if target in HEADER and value is not None:
            try:
                found[target] = ast.literal_eval(value)
            except ValueError as exc:
                raise MigrationError(f"{path.name}: {target} must be a literal ({exc})") from exc
    return found


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    return None, None


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a revision id or a sequence of them, not {value!r}")


def _read_branch(branch: Branch, problems: list[str]) -> list[Revision]:
    if branch.location is None:
        return []
    if not branch.location.is_dir():
        problems.append(f"{branch.name}: the migrations folder {branch.location} does not exist")
        return []
    revisions = []
    for path in sorted(branch.location.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            header = read_header(path)
            rev_id = header.get("revision")
            if not isinstance(rev_id, str):
                problems.append(f"{branch.name}: {path.name} has no revision id")
                continue
            revisions.append(
                Revision(
                    id=rev_id,
                    branch=branch.name,
                    down=_names(header.get("down_revision")),
                    depends_on=_names(header.get("depends_on")),
                    labels=_names(header.get("branch_labels")),
                    path=path,
                )
            )
        except (MigrationError, ValueError, SyntaxError) as exc:
            problems.append(f"{branch.name}: {path.name}: {exc}")
    return revisions


@dataclass(frozen=True)
class History:
    """The enabled branches and their revisions (a valid history: see check_branches)."""

    branches: tuple[Branch, ...]
    revisions: Mapping[str, Revision]

    def branch(self, name: str) -> Branch:
        """Return the branch of a name."""
        return next(b for b in self.branches if b.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the branches' names, kernel first."""
        return tuple(b.name for b in self.branches)

    @property
    def locations(self) -> list[Path]:
        """Return the folders Alembic reads revisions from."""
        return [b.location for b in self.branches if b.location is not None and b.location.is_dir()]

    def of_branch(self, name: str) -> list[Revision]:
        """Return the revisions of one branch."""
        return [r for r in self.revisions.values() if r.branch == name]

    def heads(self, name: str) -> tuple[str, ...]:
        """Return the newest revision(s) of one branch."""
        own = self.of_branch(name)
        below = {d for r in own for d in r.down}
        return tuple(sorted(r.id for r in own if r.id not in below))

    def ancestors(self, revisions: Iterable[str]) -> set[str]:
        """Return the revisions given and everything they need (down revisions and dependencies)."""
        seen: set[str] = set()
        todo = list(revisions)
        while todo:
            rev = todo.pop()
            if rev in seen:
                continue
            seen.add(rev)
            known = self.revisions.get(rev)
            if known is not None:
                todo.extend(known.parents)
        return seen

    def minimal(self, applied: Iterable[str]) -> set[str]:
        """Return Alembic's stamp for an applied set: the applied revisions nothing applied needs."""
        done = self.ancestors(applied) & self.revisions.keys()
        needed = {p for rev in done for p in self.revisions[rev].parents}
        return done - needed

    def per_branch(self, applied: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Return, per branch, the newest applied revision(s) (the platform's stamp)."""
        done = self.ancestors(applied) & self.revisions.keys()
        out: dict[str, tuple[str, ...]] = {}
        for branch in self.branches:
            own = [self.revisions[r] for r in done if self.revisions[r].branch == branch.name]
            below = {d for r in own for d in r.down}
            tips = tuple(sorted(r.id for r in own if r.id not in below))
            if tips:
                out[branch.name] = tips
        return out

    def owner_of_row(self, rev: str) -> str | None:
        """Return the branch a stamped revision belongs to by its id (None: no enabled branch)."""
        known = self.revisions.get(rev)
        if known is not None:
            return known.branch
        return next((b.name for b in self.branches if b.id_pattern.fullmatch(rev)), None)


def check_branches(branches: Sequence[Branch]) -> tuple[dict[str, Revision], list[str]]:
    """Read every branch's revisions; return them with every problem found, one line each."""
    problems: list[str] = []
    revisions: dict[str, Revision] = {}
    for branch in branches:
        for rev in _read_branch(branch, problems):
            if rev.id in revisions:
                problems.append(
                    f"{branch.name}: revision id {rev.id} is also used by {revisions[rev.id].path}"
                )
            elif not branch.id_pattern.fullmatch(rev.id):
                problems.append(f"{branch.name}: revision id {rev.id!r} must be '{branch.name}_NNNN'")
            else:
                revisions[rev.id] = rev
    by_name = {b.name: b for b in branches}
    for branch in branches:
        own = [r for r in revisions.values() if r.branch == branch.name]
        problems.extend(_check_roots(branch, own))
        for rev in own:
            problems.extend(_check_down(rev, revisions))
            problems.extend(_check_depends_on(rev, by_name, revisions))
    return revisions, problems


def _check_roots(branch: Branch, own: list[Revision]) -> list[str]:
    roots = [r for r in own if not r.down]
    problems = []
    if own and len(roots) != 1:
        found = ", ".join(sorted(r.id for r in roots)) or "none"
        problems.append(f"{branch.name}: a branch has exactly one first revision (found {found})")
    for rev in own:
        expected = (branch.name,) if not rev.down else ()
        if rev.labels != expected:
            problems.append(
                f"{branch.name}: {rev.id} has branch_labels {rev.labels!r}; "
                + (f"the first revision carries ({branch.name!r},)" if expected else "only the first has any")
            )
    return problems


def _check_down(rev: Revision, revisions: Mapping[str, Revision]) -> list[str]:
    problems = []
    for down in rev.down:
        other = revisions.get(down)
        if other is None:
            problems.append(f"{rev.branch}: {rev.id} has down_revision {down!r}, not found in its branch")
        elif other.branch != rev.branch:
            problems.append(
                f"{rev.branch}: {rev.id} has down_revision {down!r} of {other.branch!r}: a revision follows "
                "its own domain's history and names other domains' revisions in depends_on"
            )
    return problems


def _check_depends_on(
    rev: Revision, branches: Mapping[str, Branch], revisions: Mapping[str, Revision]
) -> list[str]:
    allowed = {CORE, *branches[rev.branch].depends_on}
    problems = []
    for dep in rev.depends_on:
        other = revisions.get(dep)
        named = next((b.name for b in branches.values() if b.id_pattern.fullmatch(dep)), None)
        if other is None and named is not None:
            problems.append(f"{rev.branch}: {rev.id} depends on {dep!r}, not found in {named!r}'s migrations")
        elif other is None:
            problems.append(
                f"{rev.branch}: {rev.id} depends on {dep!r}, a revision of no enabled domain "
                f"(enable the domain it belongs to before {rev.branch!r}, and list it in depends_on)"
            )
        elif other.branch == rev.branch:
            problems.append(f"{rev.branch}: {rev.id} depends on its own branch's {dep!r}: use down_revision")
        elif other.branch not in allowed:
            problems.append(
                f"{rev.branch}: {rev.id} depends on {dep!r} of {other.branch!r}, "
                f"which the manifest of {rev.branch!r} does not list in depends_on"
            )
    if problems:
        return problems
    # Alembic counts a dependency as a merged branch when it updates its version table: one that another
    # parent already implies makes it delete a row that is not there. Such a dependency says nothing more.
    for dep in rev.depends_on:
        others = [p for p in rev.parents if p != dep]
        implied_by = [p for p in others if dep in _ancestors(revisions, [p])]
        if implied_by:
            problems.append(
                f"{rev.branch}: {rev.id} depends on {dep!r}, which {implied_by[0]!r} already implies"
            )
    return problems


def _ancestors(revisions: Mapping[str, Revision], start: Iterable[str]) -> set[str]:
    return History((), revisions).ancestors(start)


def load_history(branches: Sequence[Branch]) -> History:
    """Read and check the branches' revisions; raise MigrationError naming the first problem."""
    revisions, problems = check_branches(branches)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise MigrationError(problems[0] + more)
    return History(tuple(branches), revisions)
