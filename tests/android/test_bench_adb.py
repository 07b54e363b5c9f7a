"""`ember bench`: the static aarch64 ember-bench its builder makes runs the int8 digits model under
qemu-aarch64-static and prints JSON; `ember bench --adb` against a fake `adb` on PATH that records every call and
plays a device (getprop answers, push/pull copy into a folder, shell runs the pushed binary under qemu); a
missing adb or device gives the message that says what to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jvm_build import DIGITS_INT8

FAKE_ADB = r'''#!{python}
import json, os, shutil, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_ADB_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
root = os.environ["FAKE_ADB_ROOT"]
def local(remote):
    return root + remote
if args[:1] == ["-s"]:
    args = args[2:]
if args == ["devices"]:
    print("List of devices attached")
    for entry in filter(None, os.environ.get("FAKE_ADB_DEVICES", "").split(",")):
        print("\t".join(entry.split(":")))
    sys.exit(0)
if args[0] == "push":
    os.makedirs(os.path.dirname(local(args[2])), exist_ok=True)
    shutil.copy(args[1], local(args[2]))
    print("1 file pushed")
elif args[0] == "pull":
    shutil.copy(local(args[1]), args[2])
elif args[0] == "shell":
    command = " ".join(args[1:])
    if command == "getprop ro.product.cpu.abi":
        print(os.environ["FAKE_ADB_ABI"])
    elif command == "getprop ro.product.model":
        print("Fake Phone")
    else:
        command = command.replace("/data/local/tmp", root + "/data/local/tmp")
        command = command.replace("./ember-bench", os.environ["FAKE_ADB_EMULATOR"] + " ./ember-bench")
        sys.exit(subprocess.run(["sh", "-c", command]).returncode)
'''


def _fake_adb(tmp_path: Path, devices: str, abi: str = "arm64-v8a") -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    adb = bin_dir / "adb"
    adb.write_text(FAKE_ADB.replace("{python}", sys.executable))
    adb.chmod(0o755)
    (tmp_path / "device").mkdir(exist_ok=True)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_ADB_LOG": str(tmp_path / "adb.log"),
            "FAKE_ADB_ROOT": str(tmp_path / "device"), "FAKE_ADB_DEVICES": devices, "FAKE_ADB_ABI": abi,
            "FAKE_ADB_EMULATOR": "qemu-aarch64-static"}


def _ember(env: dict[str, str], cache: Path, *args: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, **env, EMBER_CACHE_DIR=str(cache), EMBER_BUILD_JOBS="2")
    full.pop("ADB", None)
    return subprocess.run([sys.executable, "-m", "ember.tools.cli", *args], capture_output=True, text=True,
                          env=full, timeout=600)


def test_static_aarch64_bench_runs_the_digits_model_under_qemu(aarch64_bench: Path) -> None:
    info = subprocess.run(["file", str(aarch64_bench)], capture_output=True, text=True).stdout
    assert "aarch64" in info and "statically linked" in info, info
    out = subprocess.run(["qemu-aarch64-static", str(aarch64_bench), f"--graph={DIGITS_INT8}", "--num_runs=5",
                          "--enable_op_profiling", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["model_bytes"] == DIGITS_INT8.stat().st_size and report["arena_bytes"] > 0
    assert report["num_runs"] == 5 and 0 < report["min_us"] <= report["median_us"] <= report["p90_us"]
    from ai_edge_litert.interpreter import Interpreter as LiteRT

    ops = [op["op_name"] for op in LiteRT(model_path=str(DIGITS_INT8))._get_ops_details()]
    assert [op["op"] for op in report["ops"]] == ops


def test_bench_adb_pushes_runs_and_pulls_on_the_fake_device(tmp_path: Path, aarch64_bench: Path,
                                                            bench_cache: Path) -> None:
    env = _fake_adb(tmp_path, "FAKE123:device")
    result = _ember(env, bench_cache, "bench", str(DIGITS_INT8), "--adb", "--num_threads", "2", "--num_runs", "7")
    assert result.returncode == 0, result.stdout + result.stderr
    calls = [json.loads(line) for line in (tmp_path / "adb.log").read_text().splitlines()]
    assert calls[0] == ["devices"]
    assert all(c[:2] == ["-s", "FAKE123"] for c in calls[1:]), calls
    calls = [c[2:] for c in calls[1:]]
    assert ["shell", "getprop ro.product.cpu.abi"] in calls
    remote = "/data/local/tmp/ember"
    assert ["push", str(aarch64_bench), f"{remote}/ember-bench"] in calls  # reused, not rebuilt
    assert ["push", str(DIGITS_INT8), f"{remote}/{DIGITS_INT8.name}"] in calls
    run = next(c[1] for c in calls if c[0] == "shell" and "./ember-bench" in c[1])
    assert f"--graph={remote}/{DIGITS_INT8.name}" in run and "--num_threads=2" in run and "--num_runs=7" in run
    assert ["pull", f"{remote}/bench.json"] == next(c for c in calls if c[0] == "pull")[:2]
    assert "reusing" in result.stdout and "Fake Phone (FAKE123), arm64-v8a: 2 thread(s), 7 runs" in result.stdout
    assert f"{DIGITS_INT8.stat().st_size:,}" in result.stdout and "median" in result.stdout
    # The JSON the device wrote is what the table shows.
    pulled = (tmp_path / "device" / remote.lstrip("/") / "bench.json").read_text()
    report = json.loads(pulled.strip().splitlines()[-1])
    assert f"{report['arena_bytes']:,}" in result.stdout and report["num_threads"] == 2

    as_json = _ember(env, bench_cache, "bench", str(DIGITS_INT8), "--adb", "--serial", "FAKE123", "--json")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["device"] == {"serial": "FAKE123", "abi": "arm64-v8a", "model": "Fake Phone"}


@pytest.mark.parametrize("devices, expected", [
    ("", "no device connected: `adb devices` lists none"),
    ("ABC:unauthorized", "device ABC is unauthorized: unlock it and accept the 'Allow USB debugging?' prompt"),
    ("A:device,B:device", "2 devices connected (A, B): pick one with --serial"),
])
def test_bench_adb_says_what_is_missing(tmp_path: Path, bench_cache: Path, devices: str, expected: str) -> None:
    result = _ember(_fake_adb(tmp_path, devices), bench_cache, "bench", str(DIGITS_INT8), "--adb")
    assert result.returncode == 1 and expected in result.stderr, result.stderr


def test_bench_adb_without_adb_and_unknown_abi(tmp_path: Path, bench_cache: Path) -> None:
    result = _ember({"PATH": str(tmp_path)}, bench_cache, "bench", str(DIGITS_INT8), "--adb")
    assert result.returncode == 1 and "adb not found on PATH: install the Android SDK platform-tools" in result.stderr
    result = _ember(_fake_adb(tmp_path, "X:device", abi="x86"), bench_cache, "bench", str(DIGITS_INT8), "--adb")
    assert result.returncode == 1 and "device X has ABI 'x86'; ember bench builds for" in result.stderr


def test_bench_without_adb_runs_here(tmp_path: Path, bench_cache: Path) -> None:
    from native_build import require

    require("cmake", "cc")
    result = _ember({}, bench_cache, "bench", str(DIGITS_INT8), "--num_runs", "5", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["device"]["serial"] == "local" and report["model_bytes"] == DIGITS_INT8.stat().st_size
    assert report["num_runs"] == 5 and report["ops"]


def test_bench_passes_input_layer_shape_through(tmp_path: Path, bench_cache: Path) -> None:
    from native_build import require

    require("cmake", "cc")
    model = Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic" / "dyn_cnn_int8.tflite"
    result = _ember({}, bench_cache, "bench", str(model), "--num_runs", "2", "--json",
                    "--input_layer", "serving_default_keras_tensor:0", "--input_layer_shape", "6,12,12,3")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["input_shapes"] == [[6, 12, 12, 3]]
    table = _ember({}, bench_cache, "bench", str(model), "--num_runs", "2", "--input_layer_shape", "2,12,12,3")
    assert table.returncode == 0 and "input shapes" in table.stdout and "2,12,12,3" in table.stdout, table.stdout
    refused = _ember({}, bench_cache, "bench", str(model), "--input_layer_shape", "2,12,12,4")
    assert refused.returncode == 1 and "CONV_2D" in refused.stderr and "[2,12,12,4]" in refused.stderr, refused.stderr
