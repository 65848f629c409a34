#!/usr/bin/python3
"""Convert a torchvision AlexNet, VGG-16 or VGG-19 state dict to a RawConv weights file (layout: weights/README.md).

    /usr/bin/python3 tools/torch_to_h5.py --state-dict alexnet.pth --out alexnet.h5
    /usr/bin/python3 tools/torch_to_h5.py --random-seed 0 --out alexnet.h5 --dump-dir refs/
    /usr/bin/python3 tools/torch_to_h5.py --arch vgg19 --state-dict vgg19-dcbb9e9d.pth --out vgg19.h5
    /usr/bin/python3 tools/torch_to_h5.py --arch vgg19 --state-dict vgg19-dcbb9e9d.pth --features-only --out vgg19_features.h5
    /usr/bin/python3 tools/torch_to_h5.py --arch vgg16 --random-seed 0 --features-only relu4_2 --size 64 --out v.h5 --onnx v.onnx

Layer names follow src/RawConv.Graph/Zoo.cs TorchvisionAlexNet (conv1..conv5, fc6..fc8) and Zoo.Vgg.cs (conv1_1,
relu1_1, ..., pool5, fc6..fc8, prob: neural-style's names, so `rawconv style`'s VGG defaults apply); the file carries
the matching architecture JSON, torchvision's preprocessing and (for a classifier) the ImageNet class names. The file
is written in the HDF5 1.10 layout (libver='latest': checksummed metadata), with fixed-length string attributes and
each dataset in one Fletcher-32-checked chunk, and renamed into place when complete.

--features-only [LAST] (VGG): only the convolutional part, up to pool5 or the named layer (Zoo.Truncate's network,
"vgg19_to_pool5"), for inputs of --size (default 224; any side runs, the size only sets the stored input and
preprocessing). The whole VGG-19 file is 548 MiB, its convolutional part 76 MiB. A state dict of the whole network or of
its `features` module alone is accepted.

--onnx PATH also exports the same network with torch.onnx.export (opset 11) at the input size, for the ONNX importer.
--print-architecture prints {"architecture": ..., "weights": {layer: torchvision module}} and writes nothing.

--dump-dir also writes, for tests, a seeded random input input.npy (1, 3, size, size) and PyTorch's output for it:
AlexNet: every state-dict tensor as <layer>.weight.npy / <layer>.bias.npy and the eval-mode logits, logits.npy;
VGG: the outputs at relu4_2 and relu5_1 where they come before the last layer, then at the last layer, as <layer>.npy
(fc8 for the whole network), computed in float64 from the float32 weights; with --features-only also the state dict of
the converted part of the `features` module, features.pth (keys N.weight), as a --state-dict input.
--random-seed N: torchvision's model with its own initialization drawn from torch.manual_seed(N); for VGG the biases
are then drawn uniform in ±0.1 (torchvision starts them at 0, which would leave their loading untested).
Needs torch, torchvision, h5py and numpy (Debian: python3-torch, python3-torchvision, python3-h5py).
"""
import argparse
import copy
import json
import os
import sys

import h5py
import numpy as np
import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

# RawConv layer name -> torchvision AlexNet module.
LAYERS = [("conv1", "features.0"), ("conv2", "features.3"), ("conv3", "features.6"), ("conv4", "features.8"),
          ("conv5", "features.10"), ("fc6", "classifier.1"), ("fc7", "classifier.4"), ("fc8", "classifier.6")]

VGG_BLOCKS = {"vgg16": [2, 2, 3, 3, 3], "vgg19": [2, 2, 4, 4, 4]}
VGG_MAPS = [64, 128, 256, 512, 512]


def conv(name, out, k, stride=1, pad=0):
    return {"type": "conv", "name": name, "out": out, "kernelH": k, "kernelW": k, "strideH": stride, "strideW": stride,
            "padH": pad, "padW": pad, "groups": 1, "dilationH": 1, "dilationW": 1, "bias": True}


def pool(name, k=3, stride=2):
    return {"type": "maxpool", "name": name, "kernelH": k, "kernelW": k, "strideH": stride, "strideW": stride,
            "padH": 0, "padW": 0, "ceilMode": False}


def relu(name):
    return {"type": "relu", "name": name}


def architecture():
    """Zoo.TorchvisionAlexNet() as NetSpec JSON (the adaptive 6x6 average pool is the identity at 224)."""
    layers = [conv("conv1", 64, 11, 4, 2), relu("relu1"), pool("pool1"),
              conv("conv2", 192, 5, pad=2), relu("relu2"), pool("pool2"),
              conv("conv3", 384, 3, pad=1), relu("relu3"),
              conv("conv4", 256, 3, pad=1), relu("relu4"),
              conv("conv5", 256, 3, pad=1), relu("relu5"), pool("pool5"),
              {"type": "flatten", "name": "flatten"},
              {"type": "dropout", "name": "drop6", "p": 0.5},
              {"type": "fc", "name": "fc6", "out": 4096, "bias": True}, relu("relu6"),
              {"type": "dropout", "name": "drop7", "p": 0.5},
              {"type": "fc", "name": "fc7", "out": 4096, "bias": True}, relu("relu7"),
              {"type": "fc", "name": "fc8", "out": 1000, "bias": True},
              {"type": "softmax", "name": "prob"}]
    return {"name": "torchvision_alexnet", "inputChannels": 3, "inputHeight": 224, "inputWidth": 224, "layers": layers}


def vgg_layers(arch):
    """Zoo.Vgg's layers in order, each with the torchvision module it runs as (None for flatten and softmax)."""
    out, i = [], 0
    for b, count in enumerate(VGG_BLOCKS[arch], 1):
        for k in range(1, count + 1):
            out += [(conv(f"conv{b}_{k}", VGG_MAPS[b - 1], 3, pad=1), f"features.{i}"), (relu(f"relu{b}_{k}"), f"features.{i + 1}")]
            i += 2
        out.append((pool(f"pool{b}", 2, 2), f"features.{i}"))
        i += 1
    # torchvision's classifier: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear (its 7x7 adaptive pool is the identity at 224).
    out += [({"type": "flatten", "name": "flatten"}, None),
            ({"type": "fc", "name": "fc6", "out": 4096, "bias": True}, "classifier.0"), (relu("relu6"), "classifier.1"),
            ({"type": "dropout", "name": "drop6", "p": 0.5}, "classifier.2"),
            ({"type": "fc", "name": "fc7", "out": 4096, "bias": True}, "classifier.3"), (relu("relu7"), "classifier.4"),
            ({"type": "dropout", "name": "drop7", "p": 0.5}, "classifier.5"),
            ({"type": "fc", "name": "fc8", "out": 1000, "bias": True}, "classifier.6"),
            ({"type": "softmax", "name": "prob"}, None)]
    return out


def preprocess(size):
    return {"channelOrder": "RGB", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
            "scale": 1 / 255, "height": size, "width": size}


def plan(args):
    """What to write: architecture JSON, [(layer, module)] with weights, class names or None, preprocessing, tapped layers."""
    if args.arch == "alexnet":
        return architecture(), LAYERS, list(_IMAGENET_CATEGORIES), preprocess(224), None
    layers = vgg_layers(args.arch)
    last, size = "prob", 224
    if args.features_only:
        last, size = args.features_only, args.size
        names = [l["name"] for l, _ in layers[:layers.index(next(x for x in layers if x[0]["name"] == "pool5")) + 1]]
        if last not in names:
            sys.exit(f"torch_to_h5.py: --features-only: '{last}' is not a layer of {args.arch}'s convolutional part — give one of conv1_1 … pool5")
    end = [l["name"] for l, _ in layers].index(last) + 1
    kept = layers[:end]
    pools = sum(1 for l, _ in kept if l["type"] == "maxpool")
    if size < 2 ** pools:
        sys.exit(f"torch_to_h5.py: --size: {size} is too small for {pools} 2x2 poolings — give at least {2 ** pools}")
    name = args.arch if not args.features_only else f"{args.arch}_to_{last}"
    arch = {"name": name, "inputChannels": 3, "inputHeight": size, "inputWidth": size, "layers": [l for l, _ in kept]}
    weights = [(l["name"], m) for l, m in kept if l["type"] in ("conv", "fc")]
    classes = None if args.features_only else list(_IMAGENET_CATEGORIES)
    return arch, weights, classes, preprocess(size), kept


def string_attr(obj, name, text):
    """A scalar fixed-length UTF-8 string (stored in the checksummed object header, unlike h5py's default vlen)."""
    b = text.encode("utf-8")
    obj.attrs.create(name, np.bytes_(b), dtype=h5py.string_dtype("utf-8", max(len(b), 1)))


def write(model, path, arch, weights, classes, pre):
    sd = model.state_dict()
    tmp = f"{path}.tmp-{os.getpid()}"
    with h5py.File(tmp, "w", libver="latest") as f:
        string_attr(f, "format", "rawconv-weights")
        f.attrs.create("version", np.int64(1))
        string_attr(f, "architecture", json.dumps(arch, indent=2))
        if classes is not None:
            string_attr(f, "classes", json.dumps(classes))
        string_attr(f, "preprocess", json.dumps(pre))
        for name, module in weights:
            g = f.create_group(name)
            for part in ("weight", "bias"):
                a = np.ascontiguousarray(sd[f"{module}.{part}"].detach().cpu().numpy().astype("<f4"))
                g.create_dataset(part, data=a, chunks=a.shape, fletcher32=True)
    os.replace(tmp, path)


def dump(model, seed, out):
    os.makedirs(out, exist_ok=True)
    sd = model.state_dict()
    for name, module in LAYERS:
        for part in ("weight", "bias"):
            np.save(os.path.join(out, f"{name}.{part}.npy"), sd[f"{module}.{part}"].detach().cpu().numpy().astype("<f4"))
    x = np.random.RandomState(seed + 1).uniform(-2, 2, (1, 3, 224, 224)).astype("<f4")
    with torch.no_grad():
        logits = model.eval()(torch.from_numpy(x)).numpy().astype("<f4")
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "logits.npy"), logits)


def network(model, kept):
    """The part of a torchvision VGG that `kept` covers, as one module (what --onnx exports)."""
    if kept[-1][0]["name"] == "prob":
        return torch.nn.Sequential(model, torch.nn.Softmax(dim=1))
    return model.features[:len(kept)]


def dump_vgg(model, kept, seed, size, out):
    os.makedirs(out, exist_ok=True)
    x = np.random.RandomState(seed + 1).uniform(-2, 2, (1, 3, size, size)).astype("<f4")
    np.save(os.path.join(out, "input.npy"), x)
    last = kept[-1][0]["name"]
    with torch.no_grad():
        h = torch.from_numpy(x).double()
        if last == "prob":
            np.save(os.path.join(out, "fc8.npy"), copy.deepcopy(model).double().eval()(h).numpy().astype("<f4"))
            return
        for (layer, _), m in zip(kept, copy.deepcopy(network(model, kept)).double().eval()):
            # torchvision's ReLUs work in place: the saved tensors are copies.
            h = m(h)
            if layer["name"] in ("relu4_2", "relu5_1") and layer["name"] != last:
                np.save(os.path.join(out, f"{layer['name']}.npy"), h.clone().numpy().astype("<f4"))
        torch.save(network(model, kept).state_dict(), os.path.join(out, "features.pth"))
        np.save(os.path.join(out, f"{last}.npy"), h.numpy().astype("<f4"))


def load_state_dict(model, path, weights, features_only):
    sd = torch.load(path, map_location="cpu")
    if isinstance(sd, torch.nn.Module):
        sd = sd.state_dict()
    if not features_only:
        model.load_state_dict(sd)
        return
    # A whole network's state dict (features.N.weight) or that of its `features` module alone (N.weight), maybe cut short.
    feats = {k[len("features."):]: v for k, v in sd.items() if k.startswith("features.")} or sd
    need = [f"{m[len('features.'):]}.{part}" for _, m in weights for part in ("weight", "bias")]
    missing = [k for k in need if k not in feats]
    if missing:
        sys.exit(f"torch_to_h5.py: {path}: no tensor {', '.join(missing[:3])} — give a torchvision VGG state dict "
                 "(features.N.weight) or its features module's (N.weight)")
    model.features.load_state_dict({k: feats[k] for k in need}, strict=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--state-dict", help="a torchvision state dict (.pth) of --arch")
    src.add_argument("--random-seed", type=int, help="torchvision's --arch with weights drawn from this seed")
    ap.add_argument("--arch", choices=["alexnet", "vgg16", "vgg19"], default="alexnet", help="the torchvision model (default alexnet)")
    ap.add_argument("--features-only", nargs="?", const="pool5", metavar="LAST",
                    help="VGG: only the convolutional part, up to pool5 or LAST (e.g. relu5_1)")
    ap.add_argument("--size", type=int, default=224, help="with --features-only: the input side stored in the file (default 224)")
    ap.add_argument("--out", help="the RawConv weights file to write")
    ap.add_argument("--onnx", help="also export the same network as ONNX (opset 11) here")
    ap.add_argument("--dump-dir", help="also write a seeded input and PyTorch's output for it as .npy here")
    ap.add_argument("--print-architecture", action="store_true", help="print the architecture and layer map, write nothing")
    args = ap.parse_args()
    if args.features_only and args.arch == "alexnet":
        ap.error("--features-only is for --arch vgg16 or vgg19")
    if args.size != 224 and not args.features_only:
        ap.error("--size needs --features-only (the classifier fixes the input at 224)")
    arch, weights, classes, pre, kept = plan(args)
    if args.print_architecture:
        print(json.dumps({"architecture": arch, "weights": dict(weights)}, indent=2))
        return
    if args.out is None or (args.state_dict is None and args.random_seed is None):
        ap.error("--out and one of --state-dict or --random-seed are required")
    torch.set_num_threads(2)
    make = getattr(torchvision.models, args.arch)
    if args.state_dict:
        seed = 0
        model = make()
        load_state_dict(model, args.state_dict, weights, bool(args.features_only))
    else:
        seed = args.random_seed
        torch.manual_seed(seed)
        model = make()
        if kept is not None:
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                        m.bias.uniform_(-0.1, 0.1)
    model.eval()
    write(model, args.out, arch, weights, classes, pre)
    if args.onnx:
        size = arch["inputHeight"]
        net = model if kept is None else network(model, kept)
        torch.onnx.export(net, torch.zeros(1, 3, size, size), args.onnx, opset_version=11, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
    if args.dump_dir:
        if kept is None:
            dump(model, seed, args.dump_dir)
        else:
            dump_vgg(model, kept, seed, arch["inputHeight"], args.dump_dir)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
