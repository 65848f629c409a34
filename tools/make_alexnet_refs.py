#!/usr/bin/python3
"""Reference files for the RawConv importers: two AlexNets with seeded random weights, written the way
real model files are, plus PyTorch's activations at every layer for a real photo.

Nets: (a) Caffe bvlc_alexnet (groups, LRN, ceil-mode pooling, 227 input, BGR minus the Caffe mean) and
(b) torchvision AlexNet (224 input, ImageNet normalization); weights He-initialised from torch.manual_seed
so activations stay O(1) relative to the input, biases small and non-zero so bias loading is checked.

Written under --out (the tests call this into a temp cache keyed by this file's hash):
  bvlc_alexnet.onnx        opset 10, nodes named as our layers, real LRN op, MaxPool ceil_mode=1, Flatten,
                           Gemm transB=1, Dropout, Softmax; initializers also listed as graph inputs (old IR style)
  bvlc_alexnet.caffemodel  NetParameter with V2 `layer` (field 100), BlobShape dims
  bvlc_alexnet_v1.caffemodel  V1 `layers` (field 2), enum types, legacy num/channels/height/width (fc 1x1xMxN)
  deploy.prototxt          V2 text form with an Input layer and in-place ReLU/Dropout
  deploy_v1.prototxt       V1 text form: `layers`, enum types, `input:` + 4 `input_dim:`
  torchvision_alexnet.onnx opset 9 (MaxPool without ceil_mode), unnamed nodes with outputs named as our
                           layers, Reshape with a shape initializer, fc6 Gemm transB=1, fc7 Gemm transB=0
                           (weight stored transposed), fc8 MatMul + Add
  NAME.h5                  RawConv HDF5 layout: root attrs format="rawconv-weights", version=1,
                           architecture=NetSpec JSON (as NetSpec.ToJson()); one group per parameterised
                           layer holding float32 datasets `weight` and `bias`
  NAME.architecture.json   the same JSON text, so the C# tests can compare it with Zoo
  NAME/input.npy           the preprocessed photo, (1, 3, H, W) float32
  NAME/LAYER.npy           every layer's output, named as our layers (conv1, relu1, ..., fc8, prob)
  NAME/input_grad.npy      d fc8[top class] / d input
  NAME/top5.json           {"indices": [...], "probs": [...]}
  NAME/top5_photo.json     top-5 for the photo through torchvision's transforms (what `rawconv classify --image` does)
References are computed in float64 from the float32 weights and stored as float32.
"""
import argparse, json, os, struct, sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
import onnx
from onnx import helper, TensorProto, numpy_helper
from PIL import Image

PHOTO = "/usr/share/darknet/data/dog.jpg"
CAFFE_MEAN_BGR = (104.0, 117.0, 123.0)

# ---------------------------------------------------------------- architectures (mirror src/RawConv.Graph/Zoo.cs)

def conv(name, out, k, s=1, p=0, g=1):
    return dict(type="conv", name=name, out=out, k=k, s=s, p=p, g=g)

CAFFE = [conv("conv1", 96, 11, 4), dict(type="relu", name="relu1"), dict(type="lrn", name="norm1"),
         dict(type="maxpool", name="pool1", ceil=True),
         conv("conv2", 256, 5, 1, 2, 2), dict(type="relu", name="relu2"), dict(type="lrn", name="norm2"),
         dict(type="maxpool", name="pool2", ceil=True),
         conv("conv3", 384, 3, 1, 1), dict(type="relu", name="relu3"),
         conv("conv4", 384, 3, 1, 1, 2), dict(type="relu", name="relu4"),
         conv("conv5", 256, 3, 1, 1, 2), dict(type="relu", name="relu5"),
         dict(type="maxpool", name="pool5", ceil=True), dict(type="flatten", name="flatten"),
         dict(type="fc", name="fc6", out=4096), dict(type="relu", name="relu6"), dict(type="dropout", name="drop6"),
         dict(type="fc", name="fc7", out=4096), dict(type="relu", name="relu7"), dict(type="dropout", name="drop7"),
         dict(type="fc", name="fc8", out=1000), dict(type="softmax", name="prob")]

TV = [conv("conv1", 64, 11, 4, 2), dict(type="relu", name="relu1"), dict(type="maxpool", name="pool1", ceil=False),
      conv("conv2", 192, 5, 1, 2), dict(type="relu", name="relu2"), dict(type="maxpool", name="pool2", ceil=False),
      conv("conv3", 384, 3, 1, 1), dict(type="relu", name="relu3"),
      conv("conv4", 256, 3, 1, 1), dict(type="relu", name="relu4"),
      conv("conv5", 256, 3, 1, 1), dict(type="relu", name="relu5"),
      dict(type="maxpool", name="pool5", ceil=False), dict(type="flatten", name="flatten"),
      dict(type="dropout", name="drop6"), dict(type="fc", name="fc6", out=4096), dict(type="relu", name="relu6"),
      dict(type="dropout", name="drop7"), dict(type="fc", name="fc7", out=4096), dict(type="relu", name="relu7"),
      dict(type="fc", name="fc8", out=1000), dict(type="softmax", name="prob")]


def spec_json(name, size, layers, channels=3):
    """NetSpec.ToJson(): camelCase, "type" first, then the record's own properties, then Name/BiasLength
    in the order System.Text.Json emits them (derived-declared before inherited)."""
    out = []
    for l in layers:
        t = l["type"]
        if t == "conv":
            d = [("type", "conv"), ("out", l["out"]), ("kernelH", l["k"]), ("kernelW", l["k"]), ("strideH", l["s"]),
                 ("strideW", l["s"]), ("padH", l["p"]), ("padW", l["p"]), ("groups", l["g"]), ("dilationH", 1),
                 ("dilationW", 1), ("bias", True), ("biasLength", l["out"]), ("name", l["name"])]
        elif t == "fc":
            d = [("type", "fc"), ("out", l["out"]), ("bias", True), ("biasLength", l["out"]), ("name", l["name"])]
        elif t == "lrn":
            d = [("type", "lrn"), ("size", 5), ("alpha", 0.0001), ("beta", 0.75), ("k", 1), ("name", l["name"]), ("biasLength", 0)]
        elif t == "maxpool":
            d = [("type", "maxpool"), ("kernelH", 3), ("kernelW", 3), ("strideH", 2), ("strideW", 2), ("padH", 0), ("padW", 0),
                 ("ceilMode", l["ceil"]), ("name", l["name"]), ("biasLength", 0)]
        elif t == "dropout":
            d = [("type", "dropout"), ("p", 0.5), ("name", l["name"]), ("biasLength", 0)]
        else:
            d = [("type", t), ("name", l["name"]), ("biasLength", 0)]
        out.append(dict(d))
    spec = dict([("name", name), ("inputChannels", channels), ("inputHeight", size), ("inputWidth", size), ("layers", out)])
    return json.dumps(spec, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- PyTorch models

class Seq(nn.Module):
    """Runs the mirrored layer list, keeping every output by our layer names."""

    def __init__(self, layers, modules):
        super().__init__()
        self.names = [l["name"] for l in layers]
        self.mods = nn.ModuleList(modules)

    def forward(self, x):
        taps = {}
        for n, m in zip(self.names, self.mods):
            x = m(x)
            taps[n] = x
        return taps


def build_caffe():
    mods, c = [], 3
    for l in CAFFE:
        t = l["type"]
        if t == "conv":
            mods.append(nn.Conv2d(c, l["out"], l["k"], l["s"], l["p"], groups=l["g"])); c = l["out"]
        elif t == "relu": mods.append(nn.ReLU())
        elif t == "lrn": mods.append(nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0))
        elif t == "maxpool": mods.append(nn.MaxPool2d(3, 2, ceil_mode=l["ceil"]))
        elif t == "flatten": mods.append(nn.Flatten()); c = 256 * 6 * 6
        elif t == "fc": mods.append(nn.Linear(c, l["out"])); c = l["out"]
        elif t == "dropout": mods.append(nn.Dropout(0.5))
        elif t == "softmax": mods.append(nn.Softmax(dim=1))
    return Seq(CAFFE, mods)


def build_tv():
    """torchvision's own AlexNet modules, in our layer order (its adaptive 6x6 pool is the identity at 224)."""
    tv = torchvision.models.alexnet()
    f, a, cl = tv.features, tv.avgpool, tv.classifier
    for seq in (f, cl):
        for i, m in enumerate(seq):
            if isinstance(m, nn.ReLU):
                seq[i] = nn.ReLU()  # torchvision's ReLUs work in place, which would overwrite the conv taps
    mods = [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12],
            nn.Sequential(a, nn.Flatten()), cl[0], cl[1], cl[2], cl[3], cl[4], cl[5], cl[6], nn.Softmax(dim=1)]
    return Seq(TV, mods), tv


def init_weights(model, last_gain):
    """He normal weights (std sqrt(2/fan_in)); biases 0.05·N(0,1); fc8 scaled so the logits spread a few units."""
    with torch.no_grad():
        mods = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        for i, m in enumerate(mods):
            fan_in = m.weight[0].numel()
            m.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
            m.bias.normal_(0.0, 0.05)
            if i == len(mods) - 1:
                m.weight.mul_(last_gain)


def params(model, layers):
    """(name, weight, bias) as float32 numpy, in layer order."""
    res = []
    for l, m in zip(layers, model.mods):
        if l["type"] in ("conv", "fc"):
            res.append((l["name"], m.weight.detach().numpy().astype(np.float32), m.bias.detach().numpy().astype(np.float32)))
    return res


# ---------------------------------------------------------------- ONNX via onnx.helper

def write_onnx(path, layers, prm, size, opset, caffe_style, channels=3, classes=1000, graph_name="alexnet",
               producer="rawconv-make_alexnet_refs"):
    w = {n: (wt, b) for n, wt, b in prm}
    nodes, inits, cur = [], [], "data"
    for l in layers:
        n, t = l["name"], l["type"]
        out = n if not caffe_style else n + "_out"
        name = n if caffe_style else ""
        if t == "conv":
            wt, b = w[n]
            inits += [numpy_helper.from_array(wt, n + "_w"), numpy_helper.from_array(b, n + "_b")]
            nodes.append(helper.make_node("Conv", [cur, n + "_w", n + "_b"], [out], name=name, kernel_shape=[l["k"]] * 2,
                                          strides=[l["s"]] * 2, pads=[l["p"]] * 4, group=l["g"], dilations=[1, 1]))
        elif t == "relu":
            nodes.append(helper.make_node("Relu", [cur], [out], name=name))
        elif t == "lrn":
            nodes.append(helper.make_node("LRN", [cur], [out], name=name, size=5, alpha=1e-4, beta=0.75, bias=1.0))
        elif t == "maxpool":
            kw = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 0, 0])
            if opset >= 10:
                kw["ceil_mode"] = 1 if l["ceil"] else 0
            nodes.append(helper.make_node("MaxPool", [cur], [out], name=name, **kw))
        elif t == "flatten":
            if caffe_style:
                nodes.append(helper.make_node("Flatten", [cur], [out], name=name, axis=1))
            else:
                inits.append(numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "flatten_shape"))
                nodes.append(helper.make_node("Reshape", [cur, "flatten_shape"], [out], name=name))
        elif t == "dropout":
            nodes.append(helper.make_node("Dropout", [cur], [out], name=name, ratio=0.5))
        elif t == "softmax":
            nodes.append(helper.make_node("Softmax", [cur], [out], name=name, axis=1))
        elif t == "fc":
            wt, b = w[n]
            if caffe_style or n == "fc6":
                inits += [numpy_helper.from_array(wt, n + "_w"), numpy_helper.from_array(b, n + "_b")]
                nodes.append(helper.make_node("Gemm", [cur, n + "_w", n + "_b"], [out], name=name, transB=1, alpha=1.0, beta=1.0))
            elif n == "fc7":
                inits += [numpy_helper.from_array(np.ascontiguousarray(wt.T), n + "_wT"), numpy_helper.from_array(b, n + "_b")]
                nodes.append(helper.make_node("Gemm", [cur, n + "_wT", n + "_b"], [out], name=name))
            else:
                inits += [numpy_helper.from_array(np.ascontiguousarray(wt.T), n + "_wT"), numpy_helper.from_array(b, n + "_b")]
                nodes.append(helper.make_node("MatMul", [cur, n + "_wT"], [n + "_mm"], name=name))
                nodes.append(helper.make_node("Add", [n + "_mm", n + "_b"], [out], name=name))
        cur = out
    inputs = [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, channels, size, size])]
    if caffe_style:
        inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    outputs = [helper.make_tensor_value_info(cur, TensorProto.FLOAT, [1, classes])]
    graph = helper.make_graph(nodes, graph_name, inputs, outputs, inits)
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 4 if opset <= 9 else 5
    onnx.checker.check_model(model)
    onnx.save(model, path)


# ---------------------------------------------------------------- protobuf wire format by hand

def varint(v):
    v &= (1 << 64) - 1
    b = bytearray()
    while True:
        x = v & 0x7F
        v >>= 7
        b.append(x | (0x80 if v else 0))
        if not v:
            return bytes(b)

def key(field, wire): return varint(field << 3 | wire)
def f_varint(field, v): return key(field, 0) + varint(v)
def f_bytes(field, data): return key(field, 2) + varint(len(data)) + data
def f_str(field, s): return f_bytes(field, s.encode("utf-8"))
def f_packed_floats(field, a): return f_bytes(field, np.asarray(a, dtype="<f4").tobytes())
def f_packed_varints(field, vals): return f_bytes(field, b"".join(varint(int(v)) for v in vals))


def blob_v2(a):
    return f_bytes(7, f_packed_varints(1, a.shape)) + f_packed_floats(5, a.ravel())


def blob_legacy(a):
    dims = [1] * (4 - a.ndim) + list(a.shape)  # right-aligned: fc weight 1x1xMxN, bias 1x1x1xM
    return b"".join(f_varint(i + 1, d) for i, d in enumerate(dims)) + f_packed_floats(5, a.ravel())


V1_ENUM = {"conv": 4, "dropout": 6, "fc": 14, "lrn": 15, "maxpool": 17, "relu": 18, "softmax": 20}
V2_TYPE = {"conv": "Convolution", "dropout": "Dropout", "fc": "InnerProduct", "lrn": "LRN", "maxpool": "Pooling",
           "relu": "ReLU", "softmax": "Softmax"}


def caffe_tops(layers):
    """(layer, bottom, top) in Caffe's naming: ReLU and Dropout work in place."""
    res, cur = [], "data"
    for l in layers:
        if l["type"] == "flatten":
            continue
        top = cur if l["type"] in ("relu", "dropout") else l["name"]
        res.append((l, cur, top))
        cur = top
    return res


def write_caffemodel(path, prm, v1, layers=CAFFE, name="AlexNet"):
    w = {n: (wt, b) for n, wt, b in prm}
    body = f_str(1, name)
    for l, bottom, top in caffe_tops(layers):
        n = l["name"]
        blobs = []
        if n in w:
            blobs = [blob_legacy(a) if v1 else blob_v2(a) for a in w[n]]
        if v1:
            msg = f_str(2, bottom) + f_str(3, top) + f_str(4, n) + f_varint(5, V1_ENUM[l["type"]]) + b"".join(f_bytes(6, b) for b in blobs)
            body += f_bytes(2, msg)
        else:
            msg = f_str(1, n) + f_str(2, V2_TYPE[l["type"]]) + f_str(3, bottom) + f_str(4, top) + b"".join(f_bytes(7, b) for b in blobs)
            body += f_bytes(100, msg)
    with open(path, "wb") as f:
        f.write(body)


def layer_params_text(l, v1):
    t = l["type"]
    if t == "conv":
        s = f'  convolution_param {{\n    num_output: {l["out"]}\n'
        if l["p"]: s += f'    pad: {l["p"]}\n'
        s += f'    kernel_size: {l["k"]}\n'
        if l["g"] != 1: s += f'    group: {l["g"]}\n'
        if l["s"] != 1: s += f'    stride: {l["s"]}\n'
        return s + "  }\n"
    if t == "lrn":
        return "  lrn_param {\n    local_size: 5\n    alpha: 0.0001\n    beta: 0.75\n  }\n"
    if t == "maxpool":
        return "  pooling_param {\n    pool: MAX\n    kernel_size: 3\n    stride: 2\n  }\n"
    if t == "fc":
        return f'  inner_product_param {{\n    num_output: {l["out"]}\n  }}\n'
    if t == "dropout":
        return "  dropout_param {\n    dropout_ratio: 0.5\n  }\n"
    return ""


def write_prototxt(path, v1, layers=CAFFE, header='name: "AlexNet"  # bvlc_alexnet deploy, as in the Caffe model zoo',
                   dims=(10, 3, 227, 227)):
    s = header + "\n"
    if v1:
        s += 'input: "data"\n' + "".join(f"input_dim: {d}\n" for d in dims)
    else:
        s += 'layer {\n  name: "data"\n  type: "Input"\n  top: "data"\n  input_param { shape: { ' + " ".join(f"dim: {d}" for d in dims) + ' } }\n}\n'
    for l, bottom, top in caffe_tops(layers):
        typ = {4: "CONVOLUTION", 6: "DROPOUT", 14: "INNER_PRODUCT", 15: "LRN", 17: "POOLING", 18: "RELU", 20: "SOFTMAX"}[V1_ENUM[l["type"]]] \
            if v1 else '"' + V2_TYPE[l["type"]] + '"'
        s += f'{"layers" if v1 else "layer"} {{\n  name: "{l["name"]}"\n  type: {typ}\n  bottom: "{bottom}"\n  top: "{top}"\n'
        if l["type"] in ("conv", "fc") and not v1:
            s += "  param {\n    lr_mult: 1\n    decay_mult: 1\n  }\n  param {\n    lr_mult: 2\n    decay_mult: 0\n  }\n"
        s += layer_params_text(l, v1) + "}\n"
    with open(path, "w") as f:
        f.write(s)


# ---------------------------------------------------------------- HDF5 and references

def write_h5(path, name, size, layers, prm, channels=3):
    """RawConv's weights layout with its storage rules (weights/README.md): HDF5 1.10 format
    (libver='latest', checksummed metadata), fixed-length string attributes, one Fletcher-32 chunk per dataset."""
    import h5py

    def string_attr(obj, key, text):
        b = text.encode("utf-8")
        obj.attrs.create(key, np.bytes_(b), dtype=h5py.string_dtype("utf-8", max(len(b), 1)))

    with h5py.File(path, "w", libver="latest") as f:
        string_attr(f, "format", "rawconv-weights")
        f.attrs.create("version", np.int64(1))
        string_attr(f, "architecture", spec_json(name, size, layers, channels))
        for n, wt, b in prm:
            g = f.create_group(n)
            for part, a in (("weight", wt), ("bias", b)):
                a = np.ascontiguousarray(a.astype("<f4"))
                g.create_dataset(part, data=a, chunks=a.shape, fletcher32=True)


def photo(size):
    """Centre square crop, Pillow BILINEAR resize to size×size, RGB float 0–255 as (H, W, 3)."""
    im = Image.open(PHOTO).convert("RGB")
    w, h = im.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    im = im.crop((left, top, left + s, top + s)).resize((size, size), Image.BILINEAR)
    return np.asarray(im, dtype=np.float32)


def preprocess(kind):
    if kind == "caffe":
        x = photo(227)[:, :, ::-1] - np.array(CAFFE_MEAN_BGR, dtype=np.float32)
    else:
        x = (photo(224) / 255.0 - np.array([0.485, 0.456, 0.406], dtype=np.float32)) / np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None].astype(np.float32))


def dump_refs(outdir, model, x):
    os.makedirs(outdir, exist_ok=True)
    np.save(os.path.join(outdir, "input.npy"), x)
    m64 = model.double().eval()
    xin = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
    taps = m64(xin)
    for n, t in taps.items():
        np.save(os.path.join(outdir, n + ".npy"), t.detach().numpy().astype(np.float32))
    top = int(taps["fc8"][0].argmax())
    taps["fc8"][0, top].backward()
    np.save(os.path.join(outdir, "input_grad.npy"), xin.grad.numpy().astype(np.float32))
    p = taps["prob"][0].detach().numpy()
    idx = np.argsort(-p)[:5]
    with open(os.path.join(outdir, "top5.json"), "w") as f:
        json.dump({"indices": [int(i) for i in idx], "probs": [float(p[i]) for i in idx], "top_class": top}, f)
    model.float()


def classify_photo(outdir, model, kind):
    """Top-5 for PHOTO through torchvision's own transforms, the pipeline `rawconv classify --image` runs:
    Resize(256) (shorter side, Pillow bilinear), CenterCrop, then Caffe's BGR minus mean or torchvision's
    ToTensor + Normalize. Written to NAME/top5_photo.json."""
    import torchvision.transforms as T
    im = Image.open(PHOTO).convert("RGB")
    if kind == "caffe":
        a = np.asarray(T.CenterCrop(227)(T.Resize(256)(im)), dtype=np.float32)[:, :, ::-1] - np.array(CAFFE_MEAN_BGR, dtype=np.float32)
        x = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]
    else:
        x = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                       T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(im)[None]
    with torch.no_grad():
        p = model.double().eval()(x.double())["prob"][0].numpy()
    model.float()
    idx = np.argsort(-p)[:5]
    with open(os.path.join(outdir, "top5_photo.json"), "w") as f:
        json.dump({"photo": PHOTO, "indices": [int(i) for i in idx], "probs": [float(p[i]) for i in idx]}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)

    caffe = build_caffe()
    init_weights(caffe, 0.1)
    pc = params(caffe, CAFFE)
    write_onnx(os.path.join(args.out, "bvlc_alexnet.onnx"), CAFFE, pc, 227, 10, True)
    write_caffemodel(os.path.join(args.out, "bvlc_alexnet.caffemodel"), pc, False)
    write_caffemodel(os.path.join(args.out, "bvlc_alexnet_v1.caffemodel"), pc, True)
    write_prototxt(os.path.join(args.out, "deploy.prototxt"), False)
    write_prototxt(os.path.join(args.out, "deploy_v1.prototxt"), True)
    write_h5(os.path.join(args.out, "bvlc_alexnet.h5"), "bvlc_alexnet", 227, CAFFE, pc)
    with open(os.path.join(args.out, "bvlc_alexnet.architecture.json"), "w") as f:
        f.write(spec_json("bvlc_alexnet", 227, CAFFE))
    dump_refs(os.path.join(args.out, "bvlc_alexnet"), caffe, preprocess("caffe"))
    classify_photo(os.path.join(args.out, "bvlc_alexnet"), caffe, "caffe")

    tvseq, _ = build_tv()
    init_weights(tvseq, 1.0)
    pt = params(tvseq, TV)
    write_onnx(os.path.join(args.out, "torchvision_alexnet.onnx"), TV, pt, 224, 9, False)
    write_h5(os.path.join(args.out, "torchvision_alexnet.h5"), "torchvision_alexnet", 224, TV, pt)
    with open(os.path.join(args.out, "torchvision_alexnet.architecture.json"), "w") as f:
        f.write(spec_json("torchvision_alexnet", 224, TV))
    dump_refs(os.path.join(args.out, "torchvision_alexnet"), tvseq, preprocess("tv"))
    classify_photo(os.path.join(args.out, "torchvision_alexnet"), tvseq, "tv")
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
