#!/usr/bin/python3
"""Reference dumps for the RawConv.Imaging preprocessing tests (Pillow 9.4, torch 1.13, torchvision 0.14,
matplotlib 3.6; run with /usr/bin/python3).

dump_preprocess.py OUT   writes under OUT:
  in/<name>.png                 Pillow's decode of each /usr/share/darknet/data/*.jpg (RGB) and crops of it, lossless,
                                so the tests resize exactly the pixels Pillow resized
  resize_<case>.npy             Image.resize((w, h), BILINEAR) as uint8 (H, W, C) or (H, W)
  resize.tsv                    case, input png (relative to OUT), out width, out height
  fres_<case>_{in,out}.npy      torch.nn.functional.interpolate(bilinear, antialias=True) on float32 (1, C, H, W)
  fres.tsv                      case, out height, out width
  tv_<name>.npy                 torchvision Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet) (3, 224, 224)
  caffe_<name>.npy              hand Caffe pipeline: Pillow resize shorter side 256, centre crop 227, float, BGR,
                                minus (104, 117, 123) (3, 227, 227)
  cm_values.npy, cm_<name>.npy  float32 values and matplotlib cmap(Normalize(lo, hi)(v), bytes=True)[..., :3]
  cm.tsv                        name, lo, hi
  manifest.tsv                  written last: the directory is complete when it exists
"""
import glob, os, sys
import numpy as np
import torch
import torch.nn.functional as TF
import torchvision.transforms as T
from PIL import Image
import matplotlib
from matplotlib import cm, colors


def main(out):
    ind = os.path.join(out, "in")
    os.makedirs(ind, exist_ok=True)
    names = []
    rows = []
    for f in sorted(glob.glob("/usr/share/darknet/data/*.jpg")):
        name = os.path.basename(f)[:-4]
        im = Image.open(f).convert("RGB")
        im.save(os.path.join(ind, name + ".png"))
        names.append(name)
        w, h = im.size
        crop = im.crop((w // 3, h // 4, w // 3 + 97, h // 4 + 83))
        crop.save(os.path.join(ind, name + "_crop.png"))
        grey = crop.convert("L")
        grey.save(os.path.join(ind, name + "_grey.png"))
        sw, sh = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
        cases = [(name, "shorter256", im, sw, sh), (name, "third", im, w // 3, h // 3),
                 (name, "odd", im, int(w * 0.37) | 1, int(h * 0.53) | 1), (name, "wide", im, w - 7, h // 5),
                 (name + "_crop", "up", crop, 211, 150), (name + "_crop", "mixed", crop, 40, 190),
                 (name + "_crop", "hdown", crop, 31, 83), (name + "_crop", "vonly", crop, 97, 40), (name + "_grey", "odd", grey, 45, 29), (name + "_grey", "up", grey, 130, 101)]
        for src, tag, img, ow, oh in cases:
            case = f"{src}_{tag}"
            np.save(os.path.join(out, f"resize_{case}.npy"), np.asarray(img.resize((ow, oh), Image.BILINEAR)))
            rows.append(f"{case}\tin/{src}.png\t{ow}\t{oh}")
    open(os.path.join(out, "resize.tsv"), "w").write("\n".join(rows) + "\n")

    rng = np.random.default_rng(7)
    frows = []
    for case, (c, h, w, oh, ow) in {"down": (3, 37, 53, 17, 23), "up": (3, 37, 53, 80, 101), "mixed": (2, 37, 53, 90, 20),
                                     "big": (3, 300, 200, 111, 75)}.items():
        x = rng.random((1, c, h, w), dtype=np.float32)
        y = TF.interpolate(torch.from_numpy(x), size=(oh, ow), mode="bilinear", align_corners=False, antialias=True).numpy()
        np.save(os.path.join(out, f"fres_{case}_in.npy"), x[0])
        np.save(os.path.join(out, f"fres_{case}_out.npy"), y[0])
        frows.append(f"{case}\t{oh}\t{ow}")
    open(os.path.join(out, "fres.tsv"), "w").write("\n".join(frows) + "\n")

    tv = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    for name in names:
        im = Image.open(os.path.join(ind, name + ".png"))
        np.save(os.path.join(out, f"tv_{name}.npy"), tv(im).numpy())
        w, h = im.size
        r = im.resize((256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256), Image.BILINEAR)
        top, left = int(round((r.size[1] - 227) / 2.0)), int(round((r.size[0] - 227) / 2.0))
        a = np.asarray(r, dtype=np.float32)[top:top + 227, left:left + 227, ::-1] - np.array([104, 117, 123], np.float32)
        np.save(os.path.join(out, f"caffe_{name}.npy"), np.ascontiguousarray(a.transpose(2, 0, 1)))

    v = np.concatenate([rng.uniform(-0.3, 1.3, 4000), np.linspace(0, 1, 257), [0.0, 1.0, -5.0, 7.0]]).astype(np.float32)
    np.save(os.path.join(out, "cm_values.npy"), v)
    cmaps = {"viridis": cm.get_cmap("viridis"), "magma": cm.get_cmap("magma"), "inferno": cm.get_cmap("inferno"),
             "jet": cm.get_cmap("jet"), "grey": cm.get_cmap("gray"), "bwr": cm.get_cmap("bwr"), "blues": cm.get_cmap("Blues"),
             "greens": cm.get_cmap("Greens"), "reds": cm.get_cmap("Reds"),
             "rdwhgn": colors.LinearSegmentedColormap.from_list("RdWhGn", ["red", "white", "green"])}
    crow = []
    for i, (name, cmap) in enumerate(cmaps.items()):
        lo, hi = (-1.0, 1.0) if name in ("bwr", "rdwhgn") else (0.0, 1.0) if i % 2 else (-0.25, 2.0)
        vv = v * (hi - lo) + lo
        vv = vv.astype(np.float32)
        np.save(os.path.join(out, f"cm_{name}_in.npy"), vv)
        np.save(os.path.join(out, f"cm_{name}.npy"), np.ascontiguousarray(cmap(colors.Normalize(lo, hi)(vv), bytes=True)[:, :3]))
        crow.append(f"{name}\t{lo!r}\t{hi!r}")
    open(os.path.join(out, "cm.tsv"), "w").write("\n".join(crow) + "\n")

    with open(os.path.join(out, "manifest.tsv.tmp"), "w") as fh:
        fh.write("\n".join(names) + "\n")
    os.replace(os.path.join(out, "manifest.tsv.tmp"), os.path.join(out, "manifest.tsv"))


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(os.path.abspath(sys.argv[1]))
