"""The app's Android sources compile with javac (Java 8 level, -Werror) against the hand-written android.* stubs of
tests/android/stubs (never packaged), so a typo fails CI without the Android SDK; and the app's pure-Java parts
run on the host: DigitClassifier (normalisation from the .properties `ember quickstart --android-assets` writes,
int8 quantisation) gives ember.runtime's probabilities bit for bit on the 360 digits test images, LatencyStats
gives ember-bench's nearest-rank percentiles, StrokeRaster's block counts stay in the data set's 0..16."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from jvm_build import DEMO, DIGITS_INT8, LIBRARY_SOURCES, java_home, javac

APP_SOURCES = DEMO / "app" / "src" / "main" / "java"
STUBS = Path(__file__).parent / "stubs"


def _app_classes(tmp_path: Path) -> Path:
    java_home()
    stubs = javac(tmp_path / "stubs", STUBS)
    return javac(tmp_path / "app", APP_SOURCES, LIBRARY_SOURCES, Path(__file__).parent / "java" / "AppCheck.java",
                 classpath=stubs)


def test_app_sources_compile_against_the_stubs_and_stubs_stay_out_of_the_app(tmp_path: Path) -> None:
    classes = _app_classes(tmp_path)
    assert (classes / "ai" / "ember" / "demo" / "MainActivity.class").is_file()
    assert (classes / "ai" / "ember" / "demo" / "BenchmarkActivity.class").is_file()
    assert not (classes / "android").exists()  # the stubs were only on the class path
    assert not list(DEMO.rglob("android/app/Activity.java"))
    for source in LIBRARY_SOURCES.rglob("*.java"):  # the library runs on any JVM
        assert "import android." not in source.read_text(), source


def test_digit_classifier_matches_ember_runtime_on_the_test_images(tmp_path: Path, jni_library: Path) -> None:
    import subprocess

    from ember.data.datasets import Digits
    from ember.export import TFLiteRunner

    classes = _app_classes(tmp_path)
    images, _ = Digits(train=False).tensors  # (360, 1, 8, 8) in [0, 1]: the data set's 0..16 divided by 16
    pixels = (np.asarray(images, np.float32) * 16).reshape(len(images), 64)
    (tmp_path / "pixels.bin").write_bytes(pixels.astype("<f4").tobytes())
    props = DIGITS_INT8.with_suffix(".properties")
    result = subprocess.run(["java", "-Xcheck:jni", "-ea", f"-Dember.jni.library={jni_library}", "-cp", str(classes),
                             "AppCheck", "digits", str(DIGITS_INT8), str(props), str(tmp_path / "pixels.bin"),
                             str(tmp_path / "probs.bin")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr, result.stderr[-3000:]
    got = np.fromfile(tmp_path / "probs.bin", dtype="<f4").reshape(len(images), 10)
    runner = TFLiteRunner(DIGITS_INT8, "ember")
    want = np.concatenate([runner.dequantize(runner.run(x)) for x in runner.batches(np.asarray(images))])
    np.testing.assert_array_equal(got, want.reshape(got.shape))
    tops = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("TOP ")]
    order = np.argsort(-want.reshape(got.shape), axis=1, kind="stable")[:, :3]
    assert tops == [[str(i) for i in row] for row in order]


def test_latency_stats_and_stroke_raster(tmp_path: Path) -> None:
    import subprocess

    classes = _app_classes(tmp_path)
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 10, 101):
        values = rng.integers(1, 10**6, n)
        out = subprocess.run(["java", "-cp", str(classes), "AppCheck", "stats", *map(str, values)],
                             capture_output=True, text=True, check=True).stdout.split()
        s = np.sort(values)
        nearest = [s[max(1, int(np.ceil(p / 100 * n))) - 1] for p in (50, 90)]  # ember-bench's nearest rank
        assert [int(v) for v in out] == [s[0], *nearest], (n, out)
    out = subprocess.run(["java", "-cp", str(classes), "AppCheck", "raster"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    vertical, horizontal = (np.array(eval(line), np.float32).reshape(8, 8) for line in out)  # noqa: S307
    for image in (vertical, horizontal):
        assert image.min() >= 0 and image.max() <= 16 and image.sum() > 0
    np.testing.assert_array_equal(vertical, vertical[:, ::-1])  # a centred vertical bar is mirror-symmetric
    np.testing.assert_array_equal(horizontal, vertical.T)  # and a horizontal one is its transpose
