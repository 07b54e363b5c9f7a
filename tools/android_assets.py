"""The files the Android demo app (android_demo/app) reads from its assets: a model and, next to it,
`<model>.properties` with the labels and the input normalisation of the model's "ember" metadata, in
java.util.Properties syntax (the app parses it without any JSON library)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ember.export.evaluate import read_metadata


def _escape(text: str) -> str:
    """A java.util.Properties value: backslash escapes for the characters the format gives a meaning."""
    out = []
    for ch in text:
        if ch in "\\:=#!":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif not (" " <= ch <= "~"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    value = "".join(out)
    return "\\" + value if value.startswith(" ") else value


def properties_text(metadata: dict) -> str:
    """labels as labels=N and label.0 .. label.N-1; normalisation as normalization.KEY=v[,v...] (scale and
    offset: x * scale + offset; mean and std: (x - mean) / std)."""
    lines = ["# written by `ember quickstart --android-assets` from the model's \"ember\" metadata",
             f"name={_escape(str(metadata.get('model_name', '')))}"]
    labels = metadata.get("labels") or []
    lines.append(f"labels={len(labels)}")
    lines += [f"label.{i}={_escape(str(label))}" for i, label in enumerate(labels)]
    for key, value in sorted((metadata.get("input_normalization") or {}).items()):
        values = value if isinstance(value, list) else [value]
        lines.append(f"normalization.{_escape(key)}={','.join(repr(float(v)) for v in values)}")
    return "\n".join(lines) + "\n"


def write_android_assets(model_path: str | os.PathLike, assets_dir: str | os.PathLike) -> list[Path]:
    """Copy the model into assets_dir and write its .properties; returns both paths. ValueError when the model
    has no labels in its "ember" metadata (the app shows class names, so it needs them)."""
    model_path, assets = Path(model_path), Path(assets_dir)
    metadata = read_metadata(model_path.read_bytes())
    if not metadata.get("labels"):
        raise ValueError(f"{model_path} has no labels in its \"ember\" metadata: export it with "
                         "ember.export.to_tflite(..., labels=[...], normalization={...})")
    assets.mkdir(parents=True, exist_ok=True)
    model_out = assets / model_path.name
    shutil.copyfile(model_path, model_out)
    props = assets / (model_path.stem + ".properties")
    props.write_text(properties_text(metadata), encoding="ascii")
    return [model_out, props]
