"""Inference latency: ember.runtime against LiteRT on the same .tflite files, in one process.

    python tools/bench_runtime.py [--json] [--rounds 15] [--invokes-per-round 0] [--threads 1,2] [MODELS ...]

MODELS (or --models a,b,...), default: mobilenet_v2 mobilenet_v3_small resnet20 tf. A zoo name
(`ember.vision.models`) means its float32 and int8 files, exported into a temp dir (int8: post-training
quantisation over 4 calibration batches, int8 input and output); `name:float32` or `name:int8` picks one; `tf`
means every TensorFlow-made file in tests/data/tf/, `tf:small_cnn_int8` one of them; a path means that .tflite
file. `--tf-mobilenets DIR` adds the MobileNets issue 11 reports (TensorFlow's converter, random weights; made in
DIR with TensorFlow when the files are not there yet).

Engines: `ember` (ember.runtime.Interpreter), `litert_builtin` (LiteRT with
OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES: its optimised builtin kernels, no XNNPACK), `litert_xnnpack`
(LiteRT's default: XNNPACK delegate) and `litert_ref` (OpResolverType.BUILTIN_REF, the reference kernels the int8
runtime is bit-exact with; timed only with --ref-timing, always run for the correctness column).

Method: every interpreter of a model (each engine at each thread count) lives in this one process. After warm-up
invokes, rounds go round-robin over them, the starting interpreter rotating each round, and each turn times
`invokes-per-round` back-to-back invokes of the same input (0: enough for about 20 ms per turn, from the warm-up
speed); one round's figure is the turn's time per invoke. Reported: median, min and p90 over rounds, in us, and the
ratios ember/builtin and ember/XNNPACK of the reported medians, per model and thread count. Both sides go through
a Python binding, so a few us of call overhead are in every figure.

Thread counts are LiteRT's `num_threads` (-1: all cores). ember.runtime's figure at N > 1 threads is reported only
when its Interpreter takes `num_threads` and reports the thread count it runs with (a `num_threads` attribute or
`get_num_threads()`), or with --trust-ember-threads; otherwise it is null ("n/a"), never the single-thread figure.

Correctness in the same run: after timing, every interpreter's output on the benchmark input is compared with
LiteRT's reference kernels: max |difference| for float outputs, max difference in LSB for integer outputs.

Output: a machine line (CPU, ISA flags, cores, versions) and a markdown table; with --json, the last line of
stdout is one JSON object with every figure. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

REPO = Path(__file__).resolve().parent.parent
TF_DIR = REPO / "tests" / "data" / "tf"
DEFAULT_MODELS = ["mobilenet_v2", "mobilenet_v3_small", "resnet20", "tf"]
ENGINES = ("ember", "litert_builtin", "litert_xnnpack", "litert_ref")
TURN_SECONDS = 0.02  # the automatic invokes-per-round aims at this much time per interpreter and round
# A pause after each turn: LiteRT's worker threads (XNNPACK's pthreadpool, ruy) spin-wait for a while after an
# invoke; without it they would take a core from the interpreter whose turn comes next.
PAUSE_SECONDS = 0.005
CALIBRATION_BATCHES = 4
# The TensorFlow-made MobileNets of issue 11: file stem -> what they are.
TF_MOBILENETS = {
    "tf_mobilenet_v1_025_128_float32": "MobileNetV1 alpha 0.25, 128x128",
    "tf_mobilenet_v1_025_128_int8": "MobileNetV1 alpha 0.25, 128x128",
    "tf_mobilenet_v2_035_96_float32": "MobileNetV2 alpha 0.35, 96x96",
    "tf_mobilenet_v2_035_96_int8": "MobileNetV2 alpha 0.35, 96x96",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# the machine ---------------------------------------------------------------------------------------------------
# /proc/cpuinfo flag -> the name the table prints; these decide which kernels LiteRT (and ember) can use.
X86_FLAGS = {"sse4_1": "SSE4.1", "avx2": "AVX2", "fma": "FMA", "avx512f": "AVX-512F", "avx512_vnni": "AVX512_VNNI",
             "avx_vnni": "AVX_VNNI"}
ARM_FLAGS = {"asimd": "NEON", "neon": "NEON", "asimddp": "dotprod", "i8mm": "i8mm", "sve": "SVE"}


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """CPU model, the ISA flags that matter for int8/float kernels, core counts and package versions."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip().lower(), value.strip())
    except OSError:
        pass
    arch = platform.machine()
    known = ARM_FLAGS if arch.lower().startswith(("arm", "aarch")) else X86_FLAGS
    present = set((fields.get("flags") or fields.get("features") or "").split())
    isa = list(dict.fromkeys(name for flag, name in known.items() if flag in present))
    cpu = fields.get("model name") or fields.get("hardware") or platform.processor() or arch
    if "cpu part" in fields and "model name" not in fields:
        cpu = f"{cpu} (CPU implementer {fields.get('cpu implementer')}, part {fields['cpu part']})"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import ember

    return {"cpu": cpu, "arch": arch, "isa": isa, "cores": os.cpu_count(), "usable_cores": usable,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "ember": getattr(ember, "__version__", _version("ember")), "ai_edge_litert": _version("ai-edge-litert"),
            "numpy": np.__version__}


def machine_line(m: dict[str, Any]) -> str:
    return (f"{m['cpu']}, {m['arch']}, {m['cores']} cores ({m['usable_cores']} usable); "
            f"ISA: {' '.join(m['isa']) or 'none of ' + '/'.join(X86_FLAGS.values())}; ember {m['ember']}, "
            f"ai-edge-litert {m['ai_edge_litert']}, numpy {m['numpy']}, Python {m['python']}")


# models --------------------------------------------------------------------------------------------------------
class ModelFile(NamedTuple):
    model: str
    dtype: str  # "float32" or "int8": the file's arithmetic
    path: Path
    source: str


def export_zoo(name: str, dtypes: list[str], out: Path) -> list[ModelFile]:
    import ember
    import ember.export
    from ember.vision import models

    if name not in models.MODELS:
        raise SystemExit(f"unknown model {name!r}: a zoo name ({', '.join(models.MODELS)}), tf, tf:NAME or a "
                         ".tflite path")
    net = models.MODELS[name].build().eval()
    example = ember.tensor(models.example_input(name, batch=1))
    files = []
    for dtype in dtypes:
        path = out / f"{name}_{dtype}.tflite"
        log(f"exporting {name} {dtype}")
        if dtype == "int8":
            calibration = [models.example_input(name, batch=2, seed=200 + s) for s in range(CALIBRATION_BATCHES)]
            ember.export.to_tflite(net, example, path, quantize="int8", calibration=calibration, io="int8")
            source = f"ember.export PTQ int8 ({CALIBRATION_BATCHES} calibration batches of 2, int8 I/O)"
        else:
            ember.export.to_tflite(net, example, path)
            source = "ember.export float32"
        files.append(ModelFile(name, dtype, path, source))
    return files


def file_dtype(path: Path) -> str:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path))
    return "int8" if any(d["dtype"] == np.int8 for d in it.get_tensor_details()) else "float32"


def local_file(path: Path, model: str | None = None, source: str | None = None) -> ModelFile:
    stem = path.stem
    dtype = file_dtype(path)
    if model is None:
        model = stem.removesuffix("_" + dtype)
    return ModelFile(model, dtype, path, source or str(path))


def tf_files(name: str | None) -> list[ModelFile]:
    paths = sorted(TF_DIR.glob("*.tflite")) if name is None else [TF_DIR / f"{name}.tflite"]
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"{path} does not exist: tf:NAME takes a file stem from {TF_DIR}")
    return [local_file(p, "tf:" + p.stem.rsplit("_", 1)[0], f"TensorFlow converter ({p.relative_to(REPO)})")
            for p in paths]


def tf_mobilenets(directory: Path) -> list[ModelFile]:
    """The TensorFlow-made MobileNets in `directory`, made there first (with TensorFlow) when missing."""
    paths = [directory / f"{stem}.tflite" for stem in TF_MOBILENETS]
    if not all(p.is_file() for p in paths):
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            raise SystemExit(
                f"--tf-mobilenets: {directory} lacks {', '.join(p.name for p in paths if not p.is_file())} and "
                "TensorFlow is not installed here. Either `pip install tensorflow` (or tensorflow-cpu) into this "
                "environment, or make them with any Python that has it:\n"
                f"  python tests/data/tf/make_tf_models.py --mobilenets {directory}"
            ) from None
        sys.path.insert(0, str(TF_DIR))
        import make_tf_models

        make_tf_models.write_mobilenets(directory)
    return [local_file(p, p.stem.rsplit("_", 1)[0], f"TensorFlow converter, random weights: {TF_MOBILENETS[p.stem]}")
            for p in paths]


def resolve(specs: list[str], out: Path) -> list[ModelFile]:
    files: list[ModelFile] = []
    for spec in specs:
        if spec.endswith(".tflite") or os.sep in spec:
            files.append(local_file(Path(spec)))
        elif spec == "tf" or spec.startswith("tf:"):
            files += tf_files(spec[3:] or None)
        else:
            name, _, dtype = spec.partition(":")
            if dtype not in ("", "float32", "int8"):
                raise SystemExit(f"{spec!r}: the dtype after ':' is float32 or int8")
            files += export_zoo(name, [dtype] if dtype else ["float32", "int8"], out)
    return files


# engines -------------------------------------------------------------------------------------------------------
def ember_thread_support(path: Path, trust: bool) -> dict[str, Any]:
    """Whether ember.runtime runs with more than one thread when asked: its Interpreter must take `num_threads`
    and report the count it uses (or `trust`); a binding that accepts and ignores the argument does not count."""
    from ember.runtime import Interpreter

    params = inspect.signature(Interpreter).parameters
    if "num_threads" not in params:
        return {"supported": False, "reason": "ember.runtime.Interpreter has no num_threads argument"}
    try:
        it = Interpreter(model_path=str(path), num_threads=2)
    except (TypeError, ValueError) as e:
        return {"supported": False, "reason": f"Interpreter(num_threads=2) refused: {e}"}
    for name in ("num_threads", "get_num_threads"):
        value = getattr(it, name, None)
        value = value() if callable(value) else value
        if isinstance(value, int):
            return {"supported": value >= 2, "reason": f"Interpreter(num_threads=2).{name} reports {value}"}
    if trust:
        return {"supported": True, "reason": "trusted (--trust-ember-threads): Interpreter takes num_threads but "
                                             "does not report the thread count it uses"}
    return {"supported": False, "reason": "Interpreter takes num_threads but does not report the thread count it "
                                          "uses (num_threads / get_num_threads()); its docstring says the runtime "
                                          "is single-threaded. --trust-ember-threads reports it anyway"}


def make_interpreter(engine: str, path: Path, threads: int, ember_threads: bool) -> Any:
    if engine == "ember":
        from ember.runtime import Interpreter as EmberInterpreter

        if "num_threads" in inspect.signature(EmberInterpreter).parameters and (ember_threads or threads == 1):
            return EmberInterpreter(model_path=str(path), num_threads=threads)
        return EmberInterpreter(model_path=str(path))
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = {"litert_builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
                "litert_xnnpack": OpResolverType.AUTO, "litert_ref": OpResolverType.BUILTIN_REF}[engine]
    return Interpreter(model_path=str(path), num_threads=threads, experimental_op_resolver_type=resolver)


def benchmark_inputs(it: Any, seed: int = 0) -> list[np.ndarray]:
    """Seeded inputs: standard-normal floats (quantised with the input's parameters for int8 inputs), integer
    tensors small non-negative values."""
    rng = np.random.default_rng(seed)
    arrays = []
    for d in it.get_input_details():
        shape, dtype = tuple(int(s) for s in d["shape"]), np.dtype(d["dtype"])
        x = rng.standard_normal(shape).astype(np.float32)
        if dtype == np.float32:
            arrays.append(x)
        elif dtype == np.int8:
            scale, zero_point = d["quantization"]
            arrays.append(np.clip(np.round(x / (scale or 1.0)) + zero_point, -128, 127).astype(np.int8))
        else:
            arrays.append(rng.integers(0, 10, shape).astype(dtype))
    return arrays


class Runner:
    """One engine's interpreter at one thread count, with the benchmark input set once."""

    def __init__(self, engine: str, threads: int, path: Path, inputs: list[np.ndarray], ember_threads: bool) -> None:
        self.engine, self.threads = engine, threads
        self.it = make_interpreter(engine, path, threads, ember_threads)
        self.it.allocate_tensors()
        for d, x in zip(self.it.get_input_details(), inputs, strict=True):
            self.it.set_tensor(d["index"], x)
        self.invoke: Callable[[], None] = self.it.invoke
        self.per_invoke_us: list[float] = []
        self.invokes_per_round = 1

    def turn(self, invokes: int) -> float:
        invoke = self.invoke
        start = time.perf_counter()
        for _ in range(invokes):
            invoke()
        return (time.perf_counter() - start) / invokes

    def outputs(self) -> list[np.ndarray]:
        return [self.it.get_tensor(d["index"]) for d in self.it.get_output_details()]


def difference(ours: list[np.ndarray], ref: list[np.ndarray]) -> dict[str, Any]:
    """Max |ours - ref| over all outputs; for integer outputs in LSB (an int)."""
    if all(np.issubdtype(r.dtype, np.integer) for r in ref):
        worst = max(int(np.max(np.abs(o.astype(np.int64) - r.astype(np.int64)), initial=0))
                    for o, r in zip(ours, ref, strict=True))
        return {"metric": "max_lsb", "value": worst}
    worst = max(float(np.max(np.abs(o.astype(np.float64) - r.astype(np.float64)), initial=0.0))
                for o, r in zip(ours, ref, strict=True))
    return {"metric": "max_abs", "value": worst}


def stats(samples: list[float], invokes: int) -> dict[str, Any]:
    us = sorted(s * 1e6 for s in samples)
    p90 = us[min(len(us) - 1, int(np.ceil(0.9 * len(us))) - 1)]
    return {"median_us": round(statistics.median(us), 2), "min_us": round(us[0], 2), "p90_us": round(p90, 2),
            "rounds": len(us), "invokes_per_round": invokes}


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or not b["median_us"]:
        return None
    return round(a["median_us"] / b["median_us"], 3)


def probe(path: Path) -> None:
    """Child process: every engine allocates and invokes once, naming itself first (see crash_check)."""
    from ai_edge_litert.interpreter import Interpreter

    inputs = benchmark_inputs(Interpreter(model_path=str(path)))
    for engine in ENGINES:
        print(engine, flush=True)
        Runner(engine, 1, path, inputs, False).invoke()
    print("ok", flush=True)


def crash_check(path: Path) -> str | None:
    """None when every engine runs the model once in a child process; otherwise which engine killed it. A C
    abort (LiteRT's reference SOFTMAX on an int8 input scale of 1e-8 does) cannot be caught in this process."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--probe", str(path)], capture_output=True,
                         text=True, check=False, timeout=600)
    said = out.stdout.split()
    if out.returncode == 0 and said[-1:] == ["ok"]:
        return None
    engine = said[-1] if said else "loading"
    how = f"signal {-out.returncode}" if out.returncode < 0 else f"exit status {out.returncode}"
    detail = (out.stderr.strip().splitlines() or [""])[-1][:200]
    return f"{engine} failed in a probe run ({how}){': ' + detail if detail else ''}"


def bench_model(mf: ModelFile, args: argparse.Namespace, ember_threads: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"model": mf.model, "dtype": mf.dtype, "file": mf.path.name, "source": mf.source,
                             "file_bytes": mf.path.stat().st_size}
    failure = crash_check(mf.path)
    if failure:
        return {**entry, "error": failure}
    from ai_edge_litert.interpreter import Interpreter

    probe = Interpreter(model_path=str(mf.path))
    inputs = benchmark_inputs(probe)
    entry["inputs"] = [{"shape": list(x.shape), "dtype": str(x.dtype)} for x in inputs]
    ref = Runner("litert_ref", 1, mf.path, inputs, False)
    ref.invoke()
    expected = ref.outputs()

    timed_engines = [e for e in ENGINES if e != "litert_ref" or args.ref_timing]
    runners: list[Runner] = []
    for threads in args.threads:
        for engine in timed_engines:
            if engine == "ember" and threads != 1 and not ember_threads:
                continue
            runners.append(Runner(engine, threads, mf.path, inputs, ember_threads))
    for r in runners:  # warm-up, and the invokes per round from its speed
        r.turn(1)
        seconds = r.turn(args.warmup)
        r.invokes_per_round = args.invokes_per_round or int(min(1000, max(1, TURN_SECONDS / max(seconds, 1e-7))))
    for k in range(args.rounds):
        for i in range(len(runners)):
            r = runners[(i + k) % len(runners)]
            r.per_invoke_us.append(r.turn(r.invokes_per_round))
            time.sleep(PAUSE_SECONDS)

    results = []
    for threads in args.threads:
        row: dict[str, Any] = {"threads": threads}
        for engine in ENGINES:
            r = next((r for r in runners if r.engine == engine and r.threads == threads), None)
            row[engine] = stats(r.per_invoke_us, r.invokes_per_round) if r else None
            row[f"{engine}_vs_ref"] = difference(r.outputs(), expected) if r else None
        if row["litert_ref_vs_ref"] is None:
            row.pop("litert_ref_vs_ref")
        row["ratio_ember_builtin"] = ratio(row["ember"], row["litert_builtin"])
        row["ratio_ember_xnnpack"] = ratio(row["ember"], row["litert_xnnpack"])
        results.append(row)
    entry["results"] = results
    return entry


# output --------------------------------------------------------------------------------------------------------
def _us(s: dict[str, Any] | None) -> str:
    return "n/a" if s is None else f"{s['median_us']:,.1f}"


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def _diff(d: dict[str, Any] | None) -> str:
    if d is None:
        return "n/a"
    return f"{d['value']} LSB" if d["metric"] == "max_lsb" else f"{d['value']:.1e}"


def table(report: dict[str, Any]) -> str:
    ref = report["config"]["ref_timing"]
    head = ["model", "dtype", "threads", "ember us", "LiteRT builtin us", "LiteRT XNNPACK us"]
    head += ["LiteRT ref us"] if ref else []
    head += ["ember/builtin", "ember/XNNPACK", "ember vs LiteRT ref"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in report["models"]:
        if "error" in m:
            lines.append(f"| {m['model']} | {m['dtype']} | | error: {m['error']} |" + " |" * (len(head) - 4))
            continue
        for row in m["results"]:
            cells = [m["model"], m["dtype"], str(row["threads"]), _us(row["ember"]), _us(row["litert_builtin"]),
                     _us(row["litert_xnnpack"])]
            cells += [_us(row["litert_ref"])] if ref else []
            cells += [_ratio(row["ratio_ember_builtin"]), _ratio(row["ratio_ember_xnnpack"]),
                      _diff(row["ember_vs_ref"])]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_threads(text: str) -> list[int]:
    try:
        threads = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        message = f"--threads takes comma-separated ints (-1: all cores), got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not threads or any(t == 0 or t < -1 for t in threads):
        raise argparse.ArgumentTypeError(f"--threads: each count is >= 1 or -1 (all cores), got {text!r}")
    return list(dict.fromkeys(threads))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ember.runtime vs LiteRT (builtin, XNNPACK) invoke latency",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("specs", nargs="*", metavar="MODELS", help="zoo names, name:dtype, tf, tf:NAME, paths")
    parser.add_argument("--models", help="comma-separated MODELS (added to the positional ones)")
    parser.add_argument("--json", action="store_true", help="end stdout with one JSON line holding every figure")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per interpreter (default 15)")
    parser.add_argument("--invokes-per-round", type=int, default=0,
                        help=f"invokes per interpreter and round (default 0: about {TURN_SECONDS * 1e3:.0f} ms)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up invokes per interpreter (default 5)")
    parser.add_argument("--threads", type=parse_threads, default=[1, 2], help="thread counts (default 1,2)")
    parser.add_argument("--ref-timing", action="store_true", help="also time LiteRT's reference kernels")
    parser.add_argument("--tf-mobilenets", type=Path, metavar="DIR",
                        help="add TensorFlow-made MobileNetV1 0.25@128 and V2 0.35@96 (made in DIR if missing)")
    parser.add_argument("--trust-ember-threads", action="store_true",
                        help="report ember at N>1 threads even when its Interpreter does not report a thread count")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe(args.probe)
        return 0
    if args.rounds < 1 or args.warmup < 1 or args.invokes_per_round < 0:
        parser.error("--rounds and --warmup are >= 1, --invokes-per-round >= 0")
    specs = list(args.specs) + [s for s in (args.models or "").split(",") if s]
    specs = specs or ([] if args.tf_mobilenets else DEFAULT_MODELS)

    with tempfile.TemporaryDirectory(prefix="ember-bench-runtime-") as tmp:
        files = resolve(specs, Path(tmp))
        if args.tf_mobilenets:
            args.tf_mobilenets.mkdir(parents=True, exist_ok=True)
            files += tf_mobilenets(args.tf_mobilenets)
        if not files:
            parser.error("no models to run")
        threading = ember_thread_support(files[0].path, args.trust_ember_threads)
        log(f"ember.runtime threads: {'yes' if threading['supported'] else 'no'} ({threading['reason']})")
        report: dict[str, Any] = {"machine": machine(), "ember_threads": threading, "models": []}
        report["config"] = {"rounds": args.rounds, "invokes_per_round": args.invokes_per_round or "auto",
                            "turn_ms": TURN_SECONDS * 1e3, "warmup": args.warmup, "threads": args.threads,
                            "ref_timing": args.ref_timing, "engines": list(ENGINES)}
        for mf in files:
            log(f"timing {mf.model} {mf.dtype}")
            try:
                report["models"].append(bench_model(mf, args, threading["supported"]))
            except (ValueError, RuntimeError) as e:  # a model one engine refuses: say so and go on
                report["models"].append({"model": mf.model, "dtype": mf.dtype, "file": mf.path.name,
                                         "source": mf.source, "error": f"{type(e).__name__}: {e}"})
    print(machine_line(report["machine"]))
    print()
    print(table(report))
    if not threading["supported"] and any(t != 1 for t in args.threads):
        print(f"\nember at more than one thread: n/a ({threading['reason']}).")
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
