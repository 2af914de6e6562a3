"""The build step that puts the top-level prompts/ and knowledge/ into the wheel, as bot/_data/.

pyproject.toml names this class as setuptools' `build_py` (`[tool.setuptools] cmdclass`). The two folders stay
top-level in the repository (where people edit them) and become package data of `bot._data.prompts` and
`bot._data.knowledge` in a wheel or an sdist, where `bot.paths` finds them. An editable install reads them in
place, so nothing is added there. Only the build imports this module; it needs setuptools, the product does not.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py as _build_py
from setuptools.errors import FileError

DATA_FOLDERS = {"bot._data.prompts": "prompts", "bot._data.knowledge": "knowledge"}


def data_packages() -> dict[str, str]:
    """Every folder of the data trees as a package name → its folder (setuptools ships data per package)."""
    found: dict[str, str] = {}
    for package, folder in DATA_FOLDERS.items():
        for directory in sorted(path for path in [Path(folder), *Path(folder).rglob("*")] if path.is_dir()):
            if directory.name != "__pycache__" and not directory.name.startswith("."):
                found[".".join([package, *directory.relative_to(folder).parts])] = directory.as_posix()
    return found


class BuildPyWithData(_build_py):
    """setuptools' build_py, plus the data folders mapped as packages of data files only."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.editable_mode:
            return
        missing = [folder for folder in DATA_FOLDERS.values() if not Path(folder).is_dir()]
        if missing:  # a wheel without them installs but cannot start: refuse to build it
            raise FileError(f"planbot's data folders are missing from the source tree: {', '.join(missing)}")
        self._data = data_packages()
        self.packages = [*(self.packages or []), *self._data]
        self.package_dir = {**(self.package_dir or {}), **self._data}
        self.package_data = {**(self.package_data or {}), **{name: ["*"] for name in self._data}}

    def check_package(self, package: str, package_dir: str) -> str | None:
        if package in getattr(self, "_data", {}):
            return None  # data only: no __init__.py to look for
        return super().check_package(package, package_dir)
