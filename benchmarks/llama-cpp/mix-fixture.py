#!/usr/bin/env python3
"""Records what llama-quantize makes of one model under each of llama.cpp's file types: every tensor's
type and the sha256 of its data. LlamaQuantizeMixTest compares axc's quantize with it.

Needs benchmarks/llama-cpp/build.sh run first (for llama-quantize and the gguf-py reader in the
llama.cpp source it fetched) and numpy.

Usage: mix-fixture.py IN.gguf OUT.json [--types-only] [--source TEXT]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "work", "src", "gguf-py"))
from gguf import GGUFReader  # noqa: E402

FILE_TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L",
              "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "F16", "BF16"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--types-only", action="store_true", help="record the types, not the data's hashes")
    p.add_argument("--source", default="", help="how the input was made, for the record")
    args = p.parse_args()
    commit = open(os.path.join(HERE, "bin", "COMMIT")).read().split()
    result = {"llama_cpp_commit": commit[0], "llama_cpp_date": commit[1], "input": os.path.basename(args.input),
              "source": args.source, "command": "llama-quantize IN OUT TYPE 2", "file_types": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for t in FILE_TYPES:
            out = os.path.join(tmp, t + ".gguf")
            subprocess.run([os.path.join(HERE, "bin", "llama-quantize"), args.input, out, t, "2"],
                           check=True, capture_output=True)
            tensors = {}
            for tensor in GGUFReader(out).tensors:
                entry = {"type": tensor.tensor_type.name}
                if not args.types_only:
                    entry["sha256"] = hashlib.sha256(tensor.data.tobytes()).hexdigest()
                tensors[tensor.name] = entry
            result["file_types"][t] = dict(sorted(tensors.items()))
            os.remove(out)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
