"""Builds for the android_demo tests, once per session: libember_jni for the host JVM (the same CMakeLists.txt the
app's externalNativeBuild uses, with the JDK's include/ and include/linux), the ai.ember classes with the test
driver tests/android/java/ApiCheck.java, and ember-bench through `ember bench`'s own builder (tools/bench.py)
into a session cache folder. Missing tools skip with the reason (failures under EMBER_REQUIRE_ALL=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "android_demo"
LIBRARY_SOURCES = DEMO / "ember" / "src" / "main" / "java"
JNI_SOURCES = DEMO / "ember" / "src" / "main" / "cpp"
DIGITS_INT8 = DEMO / "app" / "src" / "main" / "assets" / "digits_cnn_int8.tflite"
JDK_HELP = "a JDK (apt-get install default-jdk-headless; tools/test.sh installs it)"
# javac for Android: Java 8 language and API level (what minSdk 24 runs), every lint warning an error; `options`
# off because newer JDKs warn that release 8 is obsolete.
JAVAC_FLAGS = ["--release", "8", "-Xlint:all,-options", "-Werror", "-encoding", "UTF-8"]

sys.path.insert(0, str(ROOT / "tests" / "runtime"))


def java_home() -> Path:
    """The JDK of the javac on PATH (or JAVA_HOME), skipping when there is none or it lacks jni.h."""
    javac = shutil.which("javac")
    home = Path(os.environ["JAVA_HOME"]) if os.environ.get("JAVA_HOME") else None
    if home is None or not (home / "include" / "jni.h").is_file():
        if javac is None:
            pytest.skip(f"needs javac and java: {JDK_HELP}")
        home = Path(os.path.realpath(javac)).parents[1]
    if not (home / "include" / "jni.h").is_file() or shutil.which("java") is None:
        pytest.skip(f"needs a JDK with include/jni.h and java (found {home}): {JDK_HELP}")
    return home


def run(args: list[str], cwd: Path, timeout: int = 600, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed ({result.returncode}):\n" \
                                   f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout + result.stderr


def javac(out: Path, *sources: Path, classpath: Path | None = None) -> Path:
    files = sorted(str(p) for src in sources for p in (src.rglob("*.java") if src.is_dir() else [src]))
    out.mkdir(parents=True, exist_ok=True)
    cp = ["-cp", str(classpath)] if classpath else []
    run([shutil.which("javac") or "javac", *JAVAC_FLAGS, *cp, "-d", str(out), *files], out)
    return out


@pytest.fixture(scope="session")
def jni_library(tmp_path_factory) -> Path:
    """libember_jni.so for this machine, built with gcc -Werror from android_demo/ember/src/main/cpp."""
    home = java_home()
    from native_build import require

    require("cmake", "gcc")
    build = tmp_path_factory.mktemp("jni") / "build"
    launcher = ["-DCMAKE_C_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    run(["cmake", "-S", str(JNI_SOURCES), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_C_COMPILER=gcc",
         f"-DJAVA_HOME={home}", "-DEMBER_WERROR=ON", *launcher], build.parent)
    run(["cmake", "--build", str(build), "--parallel", "2"], build.parent)
    return build / "libember_jni.so"


@pytest.fixture(scope="session")
def api_classes(tmp_path_factory) -> Path:
    """The ai.ember library compiled as the app compiles it, plus the host test driver ApiCheck."""
    java_home()
    out = tmp_path_factory.mktemp("classes")
    return javac(out, LIBRARY_SOURCES, Path(__file__).parent / "java" / "ApiCheck.java")


def java(classes: Path, library: Path, *args: str, jvm: tuple[str, ...] = ()) -> str:
    """Runs ApiCheck under -Xcheck:jni with assertions on; fails on any JNI warning or error in the output."""
    result = subprocess.run([shutil.which("java") or "java", "-Xcheck:jni", "-ea", *jvm,
                             f"-Dember.jni.library={library}", "-cp", str(classes), "ApiCheck", *args],
                            capture_output=True, text=True, timeout=300)
    text = result.stdout + result.stderr
    assert result.returncode == 0, text[-5000:]
    for marker in ("WARNING", "FATAL ERROR", "JNI DETECTED"):
        assert marker not in text, text[-5000:]
    return result.stdout


@pytest.fixture(scope="session")
def bench_cache(tmp_path_factory) -> Path:
    """EMBER_CACHE_DIR of the session: ember-bench builds are made once and reused by every `ember bench` test."""
    return tmp_path_factory.mktemp("ember_cache")


@pytest.fixture(scope="session")
def aarch64_bench(bench_cache) -> Path:
    """The static aarch64 ember-bench, built by tools/bench.py's builder (what `ember bench --adb` pushes)."""
    from native_build import require

    require("cmake", "aarch64-linux-gnu-gcc", "qemu-aarch64-static")
    from ember.tools import bench

    os.environ.setdefault("EMBER_BUILD_JOBS", "2")
    old = os.environ.get("EMBER_CACHE_DIR")
    os.environ["EMBER_CACHE_DIR"] = str(bench_cache)
    try:
        return bench.build_bench("aarch64", log=lambda msg: None)
    finally:
        if old is None:
            del os.environ["EMBER_CACHE_DIR"]
        else:
            os.environ["EMBER_CACHE_DIR"] = old
