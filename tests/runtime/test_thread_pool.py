"""The worker pool's C suite (edge_runtime/tests/test_thread_pool.c) outside ctest: under ThreadSanitizer, which
understands the pool's atomics (valgrind's helgrind does not), and compiled out with -DEMBER_NO_THREADS, the
bare-metal build, under AddressSanitizer + UBSan. The interpreter's threaded invoke (tests/test_threads.c: a split
FULLY_CONNECTED on 1-4 threads, a caller arena, destroy with live workers) runs the same two ways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from native_build import SOURCE, require, run

MAIN = """#include "test_util.h"
int test_failures = 0;
int main(void) {
    test_thread_pool();
    printf("thread_pool: %s\\n", test_failures ? "FAILED" : "ok");
    return test_failures != 0;
}
"""
INTERPRETER_MAIN = """#include "test_util.h"
int test_failures = 0;
int main(void) {
    test_threads();
    printf("threads: %s\\n", test_failures ? "FAILED" : "ok");
    return test_failures != 0;
}
"""


def build_suite(out: Path, compiler: str, *flags: str) -> Path:
    main = out / "main.c"
    main.write_text(MAIN)
    exe = out / "thread_pool_tests"
    run([compiler, "-std=c99", "-g", "-O1", "-Wall", "-Wextra", "-Werror", *flags, f"-I{SOURCE / 'include'}",
         f"-I{SOURCE / 'src'}", f"-I{SOURCE / 'tests'}", str(SOURCE / "src" / "thread_pool.c"),
         str(SOURCE / "tests" / "test_thread_pool.c"), str(main), "-o", str(exe), "-pthread"], out)
    return exe


def build_interpreter_suite(out: Path, compiler: str, *flags: str) -> Path:
    """The whole runtime with tests/test_threads.c."""
    main = out / "interpreter_main.c"
    main.write_text(INTERPRETER_MAIN)
    exe = out / "threads_tests"
    sources = sorted(str(p) for p in (SOURCE / "src").rglob("*.c"))
    run([compiler, "-std=c99", "-g", "-O1", "-Wall", "-Wextra", "-Werror", *flags, f"-I{SOURCE / 'include'}",
         f"-I{SOURCE / 'src'}", f"-I{SOURCE / 'tests'}", *sources, str(SOURCE / "tests" / "test_threads.c"),
         str(SOURCE / "tests" / "model_writer.c"), str(main), "-o", str(exe), "-pthread", "-lm"], out)
    return exe


@pytest.mark.parametrize("compiler", ["clang", "gcc"])
def test_thread_pool_under_thread_sanitizer(compiler: str, tmp_path: Path) -> None:
    (cc,) = require(compiler)
    exe = build_suite(tmp_path, cc, "-fsanitize=thread")
    env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"}
    text = run([str(exe)], tmp_path, timeout=300, env=env)
    assert "thread_pool: ok" in text and "ThreadSanitizer" not in text, text


@pytest.mark.parametrize("compiler", ["clang", "gcc"])
def test_threaded_invoke_under_thread_sanitizer(compiler: str, tmp_path: Path) -> None:
    (cc,) = require(compiler)
    exe = build_interpreter_suite(tmp_path, cc, "-fsanitize=thread")
    env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"}
    env.pop("EMBER_ISA", None)  # the reference loops would run on one thread
    text = run([str(exe)], tmp_path, timeout=600, env=env)
    assert "threads: ok" in text and "ThreadSanitizer" not in text, text


def test_threaded_invoke_compiled_out_runs_on_one_thread(tmp_path: Path) -> None:
    (cc,) = require("gcc")
    exe = build_interpreter_suite(tmp_path, cc, "-DEMBER_NO_THREADS", "-fsanitize=address,undefined",
                                  "-fno-sanitize-recover=all")
    assert "threads: ok" in run([str(exe)], tmp_path, timeout=600)


def test_thread_pool_compiled_out_runs_inline(tmp_path: Path) -> None:
    (cc,) = require("gcc")
    exe = build_suite(tmp_path, cc, "-DEMBER_NO_THREADS", "-fsanitize=address,undefined",
                      "-fno-sanitize-recover=all")
    assert "thread_pool: ok" in run([str(exe)], tmp_path, timeout=300)
