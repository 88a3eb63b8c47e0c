"""Build hook: a wheel carries the course (notebooks and exercises) as package data.

The course lives at the top of the repository (``notebooks/``, ``exercises/``), where
maintainers and nbval work on it. A built wheel copies it into ``csframework/_course/``
so that ``pip install csframework`` then ``csframework lab`` works from any folder
(``csframework.site.find_course`` looks there first). An editable install needs no copy:
it finds the repository itself.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COURSE = ("notebooks", "exercises")
SKIP = shutil.ignore_patterns(".*", "__pycache__", ".ipynb_checkpoints")


class build_py_with_course(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "csframework" / "_course"
        for folder in COURSE:
            if (ROOT / folder).is_dir():
                shutil.rmtree(target / folder, ignore_errors=True)
                shutil.copytree(ROOT / folder, target / folder, ignore=SKIP)
        # The cohort's pinned versions, for `csframework doctor`.
        shutil.copyfile(ROOT / "requirements" / "constraints.txt", target / "constraints.txt")


setup(cmdclass={"build_py": build_py_with_course})
