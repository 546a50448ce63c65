"""The lock files (``requirements/*.txt``, made by ``scripts/lock``) match pyproject.toml: every
dependency it declares is pinned, to a version its specifier allows, with hashes. A dependency
added to pyproject.toml without running ``scripts/lock`` fails here."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s*(?:;\s*(?P<marker>.*))?$")


def read_lock(name):
    """``{canonical name: (version, [hashes])}`` of a pip requirements file with hashes."""
    text = (ROOT / "requirements" / name).read_text()
    pins = {}
    # One requirement per logical line: join the backslash continuations, drop the comments.
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        head, *options = re.split(r"\s+(?=--)", line)
        match = PIN.match(head.strip())
        assert match, f"requirements/{name}: not a pinned requirement: {head!r}"
        hashes = [opt.split("=", 1)[1] for opt in options if opt.startswith("--hash=")]
        pins[canonicalize_name(match["name"])] = (Version(match["version"]), hashes)
    return pins


def declared(group=None):
    return [
        Requirement(spec)
        for spec in (PYPROJECT["optional-dependencies"][group] if group else PYPROJECT["dependencies"])
    ]


LOCKS = {
    "base.txt": declared(),
    "test.txt": declared() + declared("test"),
}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_dependency_is_locked_at_an_allowed_version(lock):
    pins = read_lock(lock)
    problems = []
    for requirement in LOCKS[lock]:
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not in requirements/{lock}")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{requirement} is locked at {pin[0]} in requirements/{lock}")
    assert not problems, f"run ./scripts/lock: {problems}"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_has_hashes(lock):
    unhashed = sorted(name for name, (_version, hashes) in read_lock(lock).items() if not hashes)
    assert not unhashed, (
        f"requirements/{lock} pins without --hash (pip --require-hashes refuses them): {unhashed}"
    )


def test_the_test_lock_keeps_the_base_versions():
    base, test = read_lock("base.txt"), read_lock("test.txt")
    differ = {
        name: (str(base[name][0]), str(test.get(name, (None,))[0]))
        for name in base
        if name not in test or test[name][0] != base[name][0]
    }
    assert not differ, f"requirements/test.txt must pin what base.txt pins, at the same version: {differ}"
