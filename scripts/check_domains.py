"""Check every domain's shape, manifest and declared dependencies against its real imports."""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grimp

ROOT_PACKAGE = "thanglong"
DOMAINS_PACKAGE = "thanglong.domains"
MODULE_FILES = ("manifest", "api", "models", "schemas", "services", "events", "web", "cli", "tasks")
# Sub-packages that are not capabilities of a domain split by capability (they hold no use cases).
NOT_CAPABILITIES = frozenset({"web", "migrations", "templates", "static", "locale"})


@dataclass(frozen=True)
class Problem:
    """One finding; errors fail the check, warnings are only printed."""

    severity: str
    domain: str
    text: str

    def line(self) -> str:
        """Format the finding as one output line."""
        return f"{self.severity}: {self.domain}: {self.text}"


def domains_dir() -> Path:
    """Find thanglong/domains the way Python would import it (so PYTHONPATH can point at a copy)."""
    spec = importlib.util.find_spec(DOMAINS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: cannot find the package {DOMAINS_PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations)))


def domain_names(root: Path) -> list[str]:
    """Return the domain packages (folders holding an __init__.py or any module)."""
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.glob("*.py"))
    )


def check_files(root: Path, name: str) -> list[Problem]:
    """Check that the domain has the fixed files and a one-line docstring with MANIFEST."""
    pkg = root / name
    problems = []
    init = pkg / "__init__.py"
    if not init.is_file():
        problems.append(Problem("error", name, "missing __init__.py"))
    else:
        tree = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        if not doc or "\n" in doc.strip():
            problems.append(Problem("error", name, "__init__.py needs a one-line docstring"))
        if "MANIFEST" not in _bound_names(tree):
            problems.append(Problem("error", name, "__init__.py does not define MANIFEST"))
    for module in MODULE_FILES:
        if module == "services":
            problems.extend(Problem("error", name, text) for text in missing_services(pkg))
        # A module may grow into a package of the same name (web/ for many pages), as the house rules allow.
        elif not _has_module(pkg, module):
            problems.append(Problem("error", name, f"missing {module}.py"))
    if not (pkg / "templates" / name).is_dir():
        problems.append(Problem("error", name, f"missing templates/{name}/"))
    return problems


def _has_module(pkg: Path, module: str) -> bool:
    return (pkg / f"{module}.py").is_file() or (pkg / module / "__init__.py").is_file()


def capabilities(pkg: Path) -> list[Path]:
    """Return the capability sub-packages of a package: Python packages other than its web part."""
    return sorted(
        p
        for p in pkg.iterdir()
        if p.is_dir() and p.name not in NOT_CAPABILITIES and (p / "__init__.py").is_file()
    )


def missing_services(pkg: Path) -> list[str]:
    """Say where a domain's use cases are missing (docs/domains.md, "A domain of sub-packages").

    A domain keeps its use cases in `services.py` (or a `services/` package); a large one is instead a
    package of capability sub-packages (every sub-package but `web/`), each with its own `services.py`
    or, in turn, sub-packages that have one (`integrations/dvcqg/services.py`).
    """
    if _has_module(pkg, "services"):
        return []
    found = capabilities(pkg)
    if not found:
        return ["missing services.py (or capability sub-packages, each with its own services.py)"]
    return [
        f"capability {(sub / rest).relative_to(pkg).as_posix()}/ has no services.py"
        for sub in found
        for rest in _without_services(sub)
    ]


def _without_services(pkg: Path) -> list[Path]:
    if _has_module(pkg, "services"):
        return []
    found = capabilities(pkg)
    if not found:
        return [Path()]
    return [(sub / rest).relative_to(pkg) for sub in found for rest in _without_services(sub)]


def _bound_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update(alias.asname or alias.name.split(".")[-1] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def load_depends_on(name: str, package: str | None = None) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """Import the domain's MANIFEST; check its name; return its depends_on."""
    try:
        module = importlib.import_module(package or f"{DOMAINS_PACKAGE}.{name}")
    except Exception as exc:  # any import failure is a finding, not a crash of the checker
        return None, [Problem("error", name, f"cannot import the package: {type(exc).__name__}: {exc}")]
    manifest = getattr(module, "MANIFEST", None)
    if manifest is None:
        return None, []
    problems = []
    if getattr(manifest, "name", None) != name:
        problems.append(Problem("error", name, f"MANIFEST.name is {getattr(manifest, 'name', None)!r}"))
    depends_on = tuple(getattr(manifest, "depends_on", ()))
    return depends_on, problems


def _other_domain(imported: str, own: str) -> str | None:
    parts = imported.split(".")
    if len(parts) < 3 or ".".join(parts[:2]) != DOMAINS_PACKAGE or parts[2] == own:
        return None
    return parts[2]


def check_imports(
    graph: grimp.ImportGraph, name: str, depends_on: tuple[str, ...], package: str | None = None
) -> list[Problem]:
    """Compare the domain's imports of other domains with its depends_on and the api-only rule."""
    package = package or f"{DOMAINS_PACKAGE}.{name}"
    if package not in graph.modules:
        return []
    problems = []
    used: set[str] = set()
    for importer in sorted({package} | graph.find_descendants(package)):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            other = _other_domain(imported, name)
            if other is None:
                continue
            used.add(other)
            details = graph.get_import_details(importer=importer, imported=imported)
            where = f"{importer}:{details[0]['line_number']}" if details else importer
            api = f"{DOMAINS_PACKAGE}.{other}.api"
            if imported != api and not imported.startswith(f"{api}."):
                problems.append(
                    Problem("error", name, f"{where} imports {imported}: use {api} (the only public module)")
                )
            if other not in depends_on:
                problems.append(
                    Problem("error", name, f"{where} imports domain {other!r} missing from depends_on")
                )
    for declared in depends_on:
        if declared not in used:
            problems.append(Problem("warning", name, f"depends_on {declared!r} but never imports it"))
    return problems


WEB_LIBRARIES = ("fastapi", "starlette")


def is_web_part(module: str, package: str) -> bool:
    """Tell whether a module is part of a domain's web layer (web, web_*, or inside a web package)."""
    inside = module[len(package) + 1 :].split(".") if module.startswith(f"{package}.") else []
    return any(part == "web" or part.startswith("web_") for part in inside)


def check_web_imports(graph: grimp.ImportGraph, name: str, package: str) -> list[Problem]:
    """Refuse FastAPI and Starlette, directly or through other modules, outside the domain's web part."""
    problems: list[Problem] = []
    for module in sorted({package, *graph.find_descendants(package)}):
        if is_web_part(module, package):
            continue
        for library in WEB_LIBRARIES:
            chain = graph.find_shortest_chain(importer=module, imported=library)
            if chain:
                problems.append(
                    Problem(
                        "error", name, f"{module} imports {library} ({' -> '.join(chain)}): keep it in web"
                    )
                )
    return problems


def check_dependency_graph(declared: dict[str, tuple[str, ...]]) -> list[Problem]:
    """Refuse dependencies on unknown domains and cycles between domains."""
    problems: list[Problem] = []
    for name, deps in declared.items():
        problems.extend(
            Problem("error", name, f"depends_on unknown domain {dep!r}")
            for dep in deps
            if dep not in declared
        )
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in declared.get(node, ()):
            if state.get(dep) == 1:
                cycle = " -> ".join([*path[path.index(dep) :], dep])
                problems.append(Problem("error", node, f"dependency cycle {cycle}"))
            elif dep in declared and dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for name in declared:
        if name not in state:
            visit(name, [name])
    return problems


def _dependency_order(declared: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Return the domains with each one after those it depends on (None: unknown names or a cycle)."""
    order: list[str] = []
    pending = dict(declared)
    while pending:
        ready = sorted(n for n, deps in pending.items() if all(d in order for d in deps))
        if not ready:
            return None
        order.extend(ready)
        for name in ready:
            del pending[name]
    return order


def check_migrations(declared: dict[str, tuple[str, ...]], packages: dict[str, str]) -> list[Problem]:
    """Check the kernel's and every domain's Alembic branch as if all were enabled (docs/migrations.md)."""
    from thanglong.core.manifest import load_manifest  # noqa: PLC0415 - the checker imports domains at run time
    from thanglong.core.migration_history import (  # noqa: PLC0415
        CORE,
        DOMAIN_FOLDER,
        branches_for,
        check_branches,
    )

    order = _dependency_order(declared)
    if order is None:
        return []
    entries = [packages[name] for name in order]
    manifests = [load_manifest(entry) for entry in entries]
    problems = [
        Problem("error", m.name, f"has {DOMAIN_FOLDER}/ but its manifest does not declare migrations=")
        for m, entry in zip(manifests, entries, strict=True)
        if m.migrations is None and any((package_dir(entry) / DOMAIN_FOLDER).glob("*.py"))
    ]
    _, found = check_branches(branches_for(entries, manifests))
    for line in found:
        name, _, text = line.partition(": ")
        problems.append(Problem("error", name if name in declared else CORE, text))
    return problems


def package_dir(package: str) -> Path:
    """Find the folder of an importable package (an out-of-tree domain such as tests.example_domain.x)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: cannot find the package {package}")
    return Path(next(iter(spec.submodule_search_locations)))


def run_checks(extra: Sequence[str] = ()) -> list[Problem]:
    """Run every check on the thanglong package found on sys.path, and on the out-of-tree domains given."""
    root = domains_dir()
    names = domain_names(root)
    roots = sorted({ROOT_PACKAGE} | {package.partition(".")[0] for package in extra})
    graph = grimp.build_graph(*roots, cache_dir=None, include_external_packages=True)
    problems: list[Problem] = []
    declared: dict[str, tuple[str, ...]] = {}
    located = [(root, name, f"{DOMAINS_PACKAGE}.{name}") for name in names]
    located += [(package_dir(package).parent, package.rpartition(".")[2], package) for package in extra]
    for parent, name, package in located:
        problems.extend(check_files(parent, name))
        depends_on, found = load_depends_on(name, package)
        problems.extend(found)
        if depends_on is not None:
            declared[name] = depends_on
            problems.extend(check_imports(graph, name, depends_on, package))
        problems.extend(check_web_imports(graph, name, package))
    graph_problems = check_dependency_graph(declared)
    problems.extend(graph_problems)
    if not graph_problems:
        problems.extend(check_migrations(declared, {name: package for _, name, package in located}))
    return problems


def main() -> int:
    """Print one line per problem; exit 1 when there is any error."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    parser.add_argument(
        "packages", nargs="*", help="out-of-tree domains to check too, as dotted packages (a.b.name)"
    )
    args = parser.parse_args()
    problems = run_checks(args.packages)
    for problem in problems:
        print(problem.line())
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"check_domains: {errors} error(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"check_domains: OK ({len(domain_names(domains_dir())) + len(args.packages)} domains)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
