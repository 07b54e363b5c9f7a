"""`python -m ember.tools.train_digits`: Ctrl-C stops it with a one-line hint and exit status 130 (no traceback),
running it again resumes, and the final weights are bit-identical to those of a run that was never interrupted;
redirected output gets one plain line an epoch, no progress bar."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import numpy as np

import ember

EPOCHS = 3


def command(out):
    return [sys.executable, "-m", "ember.tools.train_digits", "--out", str(out), "--epochs", str(EPOCHS)]


def train(out):
    result = subprocess.run(command(out), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_ctrl_c_then_the_same_command_resumes_to_the_uninterrupted_weights(tmp_path):
    reference = train(tmp_path / "reference")
    # output to a pipe: no carriage-return progress bar, one line an epoch
    assert "\r" not in reference.stderr
    assert [line.split(",")[0] for line in reference.stderr.splitlines() if line.startswith("epoch ")] == [
        f"epoch {i}/{EPOCHS}" for i in range(1, EPOCHS + 1)]

    out = tmp_path / "run"
    checkpoint = out / "checkpoint.safetensors"
    process = subprocess.Popen(command(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 600  # bounds the wait only: the test is about what happens, not how fast
        while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpoint.exists(), process.communicate(timeout=60)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    text = stdout + stderr
    assert process.returncode == 130, text[-3000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
    saved = ember.load(checkpoint)["epoch"]
    assert 1 <= saved < EPOCHS
    hint = [line for line in stderr.splitlines() if line.startswith("interrupted")]
    # Ctrl-C lands in epoch saved + 1, or after epoch `saved` wrote its checkpoint (while drawing curves.png)
    when = {f"during epoch {saved + 1} of {EPOCHS}", f"after epoch {saved} of {EPOCHS}"}
    assert len(hint) == 1 and {f"interrupted {w}; run the same command again to resume from epoch {saved}'s "
                               f"checkpoint ({checkpoint})" for w in when} & set(hint), stderr[-3000:]

    resumed = train(out)
    assert f"resumed from {checkpoint} (epoch {saved} of {EPOCHS})" in resumed.stderr
    expected, got = ember.load(tmp_path / "reference" / "checkpoint.safetensors"), ember.load(checkpoint)
    assert got["epoch"] == EPOCHS and set(got["model"]) == set(expected["model"])
    for name, value in expected["model"].items():
        np.testing.assert_array_equal(got["model"][name].numpy(), value.numpy(), err_msg=name)
    metrics = {k: v for k, v in json.loads(resumed.stdout).items() if k.startswith("test_")}
    assert metrics == {k: v for k, v in json.loads(reference.stdout).items() if k.startswith("test_")}
