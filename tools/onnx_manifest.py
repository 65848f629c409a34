#!/usr/bin/python3
"""What the onnx Python package (Debian python3-onnx) reads from the ONNX backend test cases; run with /usr/bin/python3.

onnx_manifest.py ROOT OUT   for every case ROOT/{node,pytorch-converted,pytorch-operator}/<case>, writes one line
                            per model and one per tensor file of test_data_set_0 to OUT/manifest.tsv, then
                            OUT/done.txt last. RawConv's ONNX reader must read the same things from the same files.

Lines (tab-separated):
  model   <folder/case>  <opset of the default domain, "-" when the model imports none>  <node count>
          <fed inputs (graph inputs that are not initializers)>  <outputs>
  tensor  <folder/case/test_data_set_0/file.pb>  <data_type>  <dims, comma-separated>  <element count>  <sha256>
A tensor line is written only where the graph's value info says the file holds a tensor (sequence and optional
values are other protos). The hash is SHA-256 over the values converted to little-endian float64, or "-" for
types without numeric values (strings).
"""
import hashlib, os, sys
import numpy as np
import onnx
from onnx import numpy_helper

FOLDERS = ["node", "pytorch-converted", "pytorch-operator"]


def opset(model):
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return str(versions[0]) if versions else "-"


def value_hash(t):
    if t.data_type == onnx.TensorProto.STRING:
        return "-"
    a = numpy_helper.to_array(t)
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f8").reshape(-1).tobytes()).hexdigest()


def main(root, out):
    lines = []
    for folder in FOLDERS:
        for case in sorted(os.listdir(os.path.join(root, folder))):
            d = os.path.join(root, folder, case)
            if not os.path.isfile(os.path.join(d, "model.onnx")):
                continue
            m = onnx.load(os.path.join(d, "model.onnx"))
            g = m.graph
            inits = {t.name for t in g.initializer}
            fed = [i for i in g.input if i.name not in inits]
            lines.append(f"model\t{folder}/{case}\t{opset(m)}\t{len(g.node)}\t{len(fed)}\t{len(g.output)}")
            sets = os.path.join(d, "test_data_set_0")
            if not os.path.isdir(sets):
                continue
            for f in sorted(os.listdir(sets)):
                if not f.endswith(".pb"):
                    continue
                kind, k = f[:-3].split("_")
                info = (fed if kind == "input" else list(g.output))[int(k)]
                if not info.type.HasField("tensor_type") or info.type.tensor_type.elem_type == 0:
                    continue
                t = onnx.load_tensor(os.path.join(sets, f))
                dims = ",".join(str(x) for x in t.dims)
                count = int(np.prod(t.dims, dtype=np.int64)) if len(t.dims) else 1
                lines.append(f"tensor\t{folder}/{case}/test_data_set_0/{f}\t{t.data_type}\t{dims}\t{count}\t{value_hash(t)}")
    with open(os.path.join(out, "manifest.tsv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "done.txt"), "w") as fh:
        fh.write("ok\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
