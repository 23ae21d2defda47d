"""A tiny stand-in Piper voice (ONNX model + .onnx.json) built at test time with the `onnx` helper API.

What piper-tts 1.8 needs from a voice: inputs `input` (int64 [1, n] phoneme ids), `input_lengths`
(int64 [1]) and `scales` (float32 [3]: noise, length, noise width); output float32 audio [1, 1, 1,
samples]; for alignments a single `Ceil` node whose output is the frames per phoneme id (piper
multiplies it by `hop_length`). This model gives each phoneme id 8–20 frames of 64 samples (with the
pad after each phoneme about 60 ms per phoneme at 22 050 Hz, like real speech) scaled by length_scale, and sounds a 220 Hz tone
for exactly that many samples, so durations and alignments behave like a real VITS voice.

`make_piper_voice(..., lang="fi_FI", tone_hz=330)` gives a voice of another language (its espeak voice
is the language family) with its own pitch, so a test can hear which voice read a block.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

SAMPLE_RATE = 22050
HOP_LENGTH = 64
NAME = "sv_SE-standin-x_low"


def _model_bytes(tone_hz: float = 220.0) -> bytes:
    import onnx
    from onnx import TensorProto, helper

    def const(name: str, value, dtype) -> onnx.NodeProto:
        vals = value if isinstance(value, list) else [value]
        dims = [len(vals)] if isinstance(value, list) else []
        return helper.make_node("Constant", [], [name], value=helper.make_tensor(name + "_t", dtype, dims, vals))

    nodes = [
        const("four", 4, TensorProto.INT64),
        const("two", 8.0, TensorProto.FLOAT),
        const("step", 4.0, TensorProto.FLOAT),
        const("one_idx", 1, TensorProto.INT64),
        const("shape3", [1, 1, -1], TensorProto.INT64),
        const("shape4", [1, 1, 1, -1], TensorProto.INT64),
        const("hop", float(HOP_LENGTH), TensorProto.FLOAT),
        const("zero_i", 0, TensorProto.INT64),
        const("one_i", 1, TensorProto.INT64),
        const("omega", 2 * math.pi * tone_hz / SAMPLE_RATE, TensorProto.FLOAT),
        const("amp", 0.3, TensorProto.FLOAT),
        # frames per phoneme id: (8 + 4 * (id mod 4)) * length_scale, rounded up like VITS' w_ceil
        helper.make_node("Mod", ["input", "four"], ["id_mod"]),
        helper.make_node("Cast", ["id_mod"], ["id_mod_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["id_mod_f", "step"], ["id_step"]),
        helper.make_node("Add", ["id_step", "two"], ["w"]),
        helper.make_node("Gather", ["scales", "one_idx"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["w", "length_scale"], ["w_scaled"]),
        helper.make_node("Reshape", ["w_scaled", "shape3"], ["w_3d"]),
        helper.make_node("Ceil", ["w_3d"], ["w_ceil"]),
        # audio: a tone lasting sum(w_ceil) * hop samples
        helper.make_node("ReduceSum", ["w_ceil"], ["frames"], keepdims=0),
        helper.make_node("Mul", ["frames", "hop"], ["samples_f"]),
        helper.make_node("Cast", ["samples_f"], ["samples"], to=TensorProto.INT64),
        helper.make_node("Range", ["zero_i", "samples", "one_i"], ["t"]),
        helper.make_node("Cast", ["t"], ["t_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["t_f", "omega"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["wave", "amp"], ["quiet"]),
        helper.make_node("Reshape", ["quiet", "shape4"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "lyssna-standin-voice",
        inputs=[
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "n"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        outputs=[helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "samples"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="lyssna-tests")
    model.ir_version = 8  # readable by every onnxruntime piper-tts 1.8 supports
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _config(lang: str = "sv_SE") -> dict:
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP  # the map real espeak-based voices use

    family, _, region = lang.partition("_")
    return {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": family},
        "language": {"code": lang, "family": family, "region": region},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "num_symbols": 256,
        "num_speakers": 1,
        "speaker_id_map": {},
        "phoneme_id_map": {k: list(v) for k, v in DEFAULT_PHONEME_ID_MAP.items()},
        "hop_length": HOP_LENGTH,
        "piper_version": "1.0.0",
    }


def make_piper_voice(directory: str | Path, name: str = NAME, *, lang: str = "sv_SE",
                     tone_hz: float = 220.0) -> Path:
    """Write `<name>.onnx` and `<name>.onnx.json` into `directory`; return the .onnx path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = directory / f"{name}.onnx"
    model.write_bytes(_model_bytes(tone_hz))
    config = json.dumps(_config(lang), ensure_ascii=False)
    model.with_name(model.name + ".json").write_text(config, encoding="utf-8")
    return model
