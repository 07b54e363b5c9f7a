"""The worker pool's C suite (edge_runtime/tests/test_thread_pool.c) outside ctest: under ThreadSanitizer, which
understands the pool's atomics (valgrind's helgrind does not), and compiled out with -DEMBER_NO_THREADS, the
bare-metal build, under AddressSanitizer + UBSan."""

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


def build_suite(out: Path, compiler: str, *flags: str) -> Path:
    main = out / "main.c"
    main.write_text(MAIN)
    exe = out / "thread_pool_tests"
    run([compiler, "-std=c99", "-g", "-O1", "-Wall", "-Wextra", "-Werror", *flags, f"-I{SOURCE / 'include'}",
         f"-I{SOURCE / 'src'}", f"-I{SOURCE / 'tests'}", str(SOURCE / "src" / "thread_pool.c"),
         str(SOURCE / "tests" / "test_thread_pool.c"), str(main), "-o", str(exe), "-pthread"], out)
    return exe


@pytest.mark.parametrize("compiler", ["clang", "gcc"])
def test_thread_pool_under_thread_sanitizer(compiler: str, tmp_path: Path) -> None:
    (cc,) = require(compiler)
    exe = build_suite(tmp_path, cc, "-fsanitize=thread")
    env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"}
    text = run([str(exe)], tmp_path, timeout=300, env=env)
    assert "thread_pool: ok" in text and "ThreadSanitizer" not in text, text


def test_thread_pool_compiled_out_runs_inline(tmp_path: Path) -> None:
    (cc,) = require("gcc")
    exe = build_suite(tmp_path, cc, "-DEMBER_NO_THREADS", "-fsanitize=address,undefined",
                      "-fno-sanitize-recover=all")
    assert "thread_pool: ok" in run([str(exe)], tmp_path, timeout=300)
