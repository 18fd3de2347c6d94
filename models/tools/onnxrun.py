"""Runs an ONNX model with ONNX Runtime 1.31 through the C# tool models/tools/onnx-run (the runtime the service
uses; Debian has no python3-onnxruntime). Builds the tool on first use into /tmp/radai-onnx-run (override with
RADAI_ONNX_RUN_ARTIFACTS)."""

import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "onnx-run", "OnnxRun.csproj")
ARTIFACTS = os.environ.get("RADAI_ONNX_RUN_ARTIFACTS", "/tmp/radai-onnx-run")
DLL = os.path.join(ARTIFACTS, "bin", "OnnxRun", "release", "OnnxRun.dll")


def _ensure_built():
    if not os.path.exists(DLL):
        subprocess.run(["dotnet", "build", PROJECT, "-c", "Release", "-nologo", "-v", "q",
                        f"-p:ArtifactsPath={ARTIFACTS}"], check=True)


def run(model_path, inputs):
    """inputs: {name: float32 array}; returns {output name: float32 array}."""
    _ensure_built()
    with tempfile.TemporaryDirectory() as tmp:
        args = ["dotnet", DLL, model_path, os.path.join(tmp, "out")]
        for name, value in inputs.items():
            path = os.path.join(tmp, name + ".npy")
            np.save(path, np.ascontiguousarray(value, dtype="<f4"))
            args.append(f"{name}={path}")
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        out = os.path.join(tmp, "out")
        return {f[:-4]: np.load(os.path.join(out, f)) for f in sorted(os.listdir(out))}
