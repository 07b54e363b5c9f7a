"""Build glue that pyproject.toml cannot express: the package list of the four mapped folders and the
C extension `ember.runtime._native`, compiled from the very sources CMake builds (no second copy)."""

from glob import glob

from setuptools import Extension, find_packages, setup

ROOTS = {"ember": "train", "ember.export": "export", "ember.tools": "tools", "ember.runtime": "edge_runtime/python"}


def packages() -> list[str]:
    found = []
    for name, folder in ROOTS.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_packages(folder)]
    return found


RUNTIME_SOURCES = sorted(glob("edge_runtime/src/**/*.c", recursive=True)) + ["edge_runtime/python/_native.c"]

setup(
    packages=packages(),
    ext_modules=[
        Extension(
            "ember.runtime._native",
            sources=RUNTIME_SOURCES,
            include_dirs=["edge_runtime/include", "edge_runtime/src"],
            extra_compile_args=["-std=c99", "-O2", "-Wall", "-Wextra"],
            extra_link_args=["-pthread"],  # the worker pool, src/thread_pool.c
        )
    ],
)
