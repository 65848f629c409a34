#!/usr/bin/python3
"""Reference outputs for RawConv.Algorithms.Seeing.Transforms (scipy 1.10 + numpy + Pillow; run with /usr/bin/python3).

dump_transforms.py OUT   writes OUT/<image>.npy (C, H, W float32 inputs: a real photo resized small, and a
                         Fashion-MNIST-like 40x40 canvas), OUT/<image>_<k>.npy (the transformed images) and
                         OUT/resize.json (transforms followed by a resize to another size: the same fields plus height, width) and
                         OUT/cases.json (one entry per output: image, dx, dy, scale, degrees, fill, file), last.

Convention (the one RawConv documents): pixel centres at integer coordinates, x right, y down, centre
c = ((W-1)/2, (H-1)/2); the output point q = c + s R(theta) (p - c) + d with R turning counter-clockwise on
screen; bilinear sampling; fill 'zero' = scipy's order-1 'grid-constant' (cval 0), 'border' = 'nearest'.
The inverse map is computed here with numpy.linalg.inv and applied by scipy.ndimage.affine_transform.
"""
import json, os, sys
import numpy as np
from PIL import Image
from scipy import ndimage

PHOTO = "/usr/share/darknet/data/dog.jpg"


def inputs():
    out = {}
    if os.path.exists(PHOTO):
        im = Image.open(PHOTO).convert("RGB").resize((37, 29), Image.BILINEAR)
        out["photo"] = (np.asarray(im, np.float64).transpose(2, 0, 1) / 255.0 - 0.5)
    # A garment-like blob on a black 40x40 canvas, off centre so that transforms visibly move it.
    yy, xx = np.mgrid[0:40, 0:40]
    blob = np.exp(-(((xx - 17.3) / 6.0) ** 2 + ((yy - 21.7) / 9.0) ** 2)) + 0.6 * ((np.abs(xx - 24) < 3) & (np.abs(yy - 12) < 6))
    out["canvas"] = blob[None].astype(np.float64)
    return out


def transform(img, dx, dy, s, deg, fill, out_hw=None):
    """The transform of img, then (out_hw given) a resize with pixel areas aligned: output pixel q reads
    p = (q + 1/2) * in/out - 1/2 of the transformed image (PyTorch's align_corners=False, no antialiasing)."""
    c_, h, w = img.shape
    oh, ow = out_hw or (h, w)
    t = np.deg2rad(deg)
    r = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])  # (x, y-down): CCW as seen on screen
    fwd = s * r
    inv = np.linalg.inv(fwd)
    c = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    sc = np.array([w / ow, h / oh])
    m_xy = inv @ np.diag(sc)
    off_xy = c + inv @ (0.5 * sc - 0.5 - c - np.array([dx, dy]))
    swap = np.array([[0, 1], [1, 0]])
    m_rc = swap @ m_xy @ swap
    off_rc = swap @ off_xy
    mode = "grid-constant" if fill == "zero" else "nearest"
    return np.stack([ndimage.affine_transform(img[k], m_rc, offset=off_rc, output_shape=(oh, ow), order=1, mode=mode, cval=0.0)
                     for k in range(c_)])


# (dx, dy, scale, degrees, fill, out_h, out_w): resizes alone (border, as Transforms.Resize) and after a transform.
RESIZES = [
    (0, 0, 1, 0, "border", 17, 23), (0, 0, 1, 0, "border", 61, 83), (0, 0, 1, 0, "border", 80, 80),
    (0, 0, 1, 0, "border", 11, 74), (2, -1, 1.2, 15, "zero", 50, 45), (0, 0, 0.8, -30, "border", 24, 20),
]

CASES = [
    (3, 0, 1, 0), (-2.5, 1.25, 1, 0), (0, 7.3, 1, 0), (0, 0, 0.7, 0), (0, 0, 1.3, 0), (0, 0, 2.0, 0),
    (0, 0, 1, 10), (0, 0, 1, 33.3), (0, 0, 1, -45), (0, 0, 1, 90), (0, 0, 1, 180), (1.5, -2, 1.1, 20),
]


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []
    for name, img in inputs().items():
        np.save(os.path.join(out, name + ".npy"), img.astype(np.float32))
        k = 0
        for fill in ("zero", "border"):
            for dx, dy, s, deg in CASES:
                f = f"{name}_{k}.npy"
                np.save(os.path.join(out, f), transform(img.astype(np.float32).astype(np.float64), dx, dy, s, deg, fill).astype(np.float32))
                cases.append(dict(image=name + ".npy", dx=dx, dy=dy, scale=s, degrees=deg, fill=fill, file=f))
                k += 1
    resizes = []
    for name, img in inputs().items():
        for dx, dy, s, deg, fill, oh, ow in RESIZES:
            f = f"{name}_resize_{len(resizes)}.npy"
            np.save(os.path.join(out, f), transform(img.astype(np.float32).astype(np.float64), dx, dy, s, deg, fill, (oh, ow)).astype(np.float32))
            resizes.append(dict(image=name + ".npy", dx=dx, dy=dy, scale=s, degrees=deg, fill=fill, height=oh, width=ow, file=f))
    with open(os.path.join(out, "resize.json"), "w") as fh:
        json.dump(resizes, fh, indent=1)
    with open(os.path.join(out, "cases.json"), "w") as fh:
        json.dump(cases, fh, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
