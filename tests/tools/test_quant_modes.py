"""tools/quant_modes.py, the README's zoo table of export modes, on two small zoo models: every figure comes from
the files it writes (sizes from the files, errors from LiteRT's reference kernels against the Ember model), and
ember.runtime gives LiteRT's bits in every mode (the table's claim)."""

from __future__ import annotations

import json

from ember.tools import quant_modes


def test_quant_modes_measures_every_mode(tmp_path, capsys):
    assert quant_modes.main(["--models", "mlp,kws_conv1d", "--json"]) == 0
    results = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["model"] for r in results] == ["mlp", "kws_conv1d"]
    for r in results:
        modes = r["modes"]
        assert set(modes) == set(quant_modes.MODES)
        assert modes["int8"]["bytes"] < modes["float16"]["bytes"] < r["float32_bytes"]
        assert modes["int16x8"]["error"] < modes["int8"]["error"] or modes["int8"]["error"] < 1e-3
        for mode, row in modes.items():
            assert row["ember_equals_litert"] or (mode in ("float16", "dynamic") and row["ember_vs_litert"] < 1e-2), \
                (r["model"], mode, row)
            assert row["error"] < 0.05 and not row["float_fallback"]
    assert "| mlp |" in quant_modes.table(results)
