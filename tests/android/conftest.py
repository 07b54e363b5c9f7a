"""The session fixtures of tests/android (defined in jvm_build.py, which the tests import their helpers from)."""

from jvm_build import aarch64_bench, api_classes, bench_cache, jni_library  # noqa: F401
