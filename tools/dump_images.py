#!/usr/bin/python3
"""Reference dumps for the RawConv.Imaging tests (Pillow 9.4 + numpy; run with /usr/bin/python3).

dump_images.py OUT           decode real and generated files with Pillow, write OUT/<name>.npy (int32 arrays,
                             (H, W) or (H, W, C)), the inputs under OUT/in/, and OUT/manifest.tsv
                             (name, kind, input path, relative to OUT for generated inputs); EXIF orientation is applied with ImageOps.exif_transpose.
dump_images.py --verify DIR  for each DIR/*.png with a DIR/*.expect.npy beside it, decode with Pillow and compare;
                             for each DIR/*.npy written by the tests (not *.expect.npy) compare with the formula
                             the test used (i*0.5-3 for floats, i*3%251 for uint8, i*3-7 for other ints). Prints "OK name" or "FAIL name why".
"""
import glob, io, os, struct, sys, zlib
import numpy as np
from PIL import Image, ImageOps

SK = "/usr/lib/python3/dist-packages/skimage/data/"


def png_chunk(t, body):
    return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body) & 0xFFFFFFFF)


def raw_rows(samples, depth):
    """samples: (h, w*ch) ints -> list of packed byte rows."""
    rows = []
    for r in samples:
        if depth == 16:
            rows.append(np.asarray(r, ">u2").tobytes())
        elif depth == 8:
            rows.append(np.asarray(r, "u1").tobytes())
        else:
            per = 8 // depth
            pad = (-len(r)) % per
            r = np.concatenate([r, np.zeros(pad, int)]).reshape(-1, per)
            b = np.zeros(len(r), int)
            for i in range(per):
                b |= r[:, i] << (8 - depth * (i + 1))
            rows.append(b.astype("u1").tobytes())
    return rows


def filt(rows, bpp, rng):
    out, prev = b"", bytes(len(rows[0])) if rows else b""
    for row in rows:
        f = int(rng.integers(0, 5))
        cur = np.frombuffer(row, "u1").astype(int)
        p = np.frombuffer(prev, "u1").astype(int)
        res = np.zeros_like(cur)
        for i in range(len(cur)):
            a = cur[i - bpp] if i >= bpp else 0
            c = p[i - bpp] if i >= bpp else 0
            b = p[i]
            if f == 0: pr = 0
            elif f == 1: pr = a
            elif f == 2: pr = b
            elif f == 3: pr = (a + b) >> 1
            else:
                pp = a + b - c
                pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            res[i] = (cur[i] - pr) & 255
        out += bytes([f]) + res.astype("u1").tobytes()
        prev = row
    return out


def hand_png(samples, ctype, depth, interlace, rng, plte=None, trns=None):
    """samples (h, w, ch) ints; every filter type, Adam7 if interlace, IDAT split in 100-byte chunks."""
    h, w, ch = samples.shape
    bpp = max(1, ch * depth // 8)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            sub = samples[y0::dy, x0::dx]
            if sub.size:
                raw += filt(raw_rows(sub.reshape(sub.shape[0], -1), depth), bpp, rng)
    else:
        raw = filt(raw_rows(samples.reshape(h, -1), depth), bpp, rng)
    z = zlib.compress(raw, 9)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
    if plte is not None: out += png_chunk(b"PLTE", bytes(plte))
    if trns is not None: out += png_chunk(b"tRNS", bytes(trns))
    for i in range(0, len(z), 100): out += png_chunk(b"IDAT", z[i:i + 100])
    return out + png_chunk(b"IEND", b"")


def hand_pngs(out, rng):
    """Every colour type and bit depth, plain and interlaced; returns {name: (bytes, expected array)}."""
    res = {}
    w, h = 13, 11
    for ctype, depths in [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])]:
        ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
        for depth in depths:
            for il in (0, 1):
                s = rng.integers(0, 1 << depth, size=(h, w, ch))
                plte = trns = None
                if ctype == 3:
                    n = 1 << depth
                    pal = rng.integers(0, 256, size=(n, 3))
                    plte = pal.flatten().tolist()
                    trns = rng.integers(0, 256, size=max(1, n // 2)).tolist()
                    alpha = np.full(n, 255); alpha[:len(trns)] = trns
                    exp = np.concatenate([pal[s[..., 0]], alpha[s[..., 0]][..., None]], axis=2)
                elif ctype == 0 and depth < 8:
                    exp = s[..., 0] * (255 // ((1 << depth) - 1))
                elif ctype == 0 and depth == 16:
                    t = int(s[0, 0, 0])  # tRNS grey: this value becomes transparent
                    trns = list(struct.pack(">H", t))
                    exp = np.stack([s[..., 0], np.where(s[..., 0] == t, 0, 65535)], axis=2)
                else:
                    exp = s if ch > 1 else s[..., 0]
                name = f"hand_c{ctype}_d{depth}{'_adam7' if il else ''}"
                res[name] = (hand_png(s, ctype, depth, il, rng, plte, trns), exp)
    return res


def hand_jpeg(rgb, factors, restart=0):
    """Minimal baseline JPEG encoder for sampling factors Pillow cannot write (4:1:1, 3×1, mixed), optional
    restart interval. Fixed-length Huffman codes (4-bit DC, 8/9-bit AC) keep it short; Pillow decodes the result."""
    h, w = rgb.shape[:2]
    if len(factors) == 3:
        r, g, b = [rgb[..., i].astype(float) for i in range(3)]
        planes = [0.299 * r + 0.587 * g + 0.114 * b, -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
                  0.5 * r - 0.418688 * g - 0.081312 * b + 128]
    else:
        planes = [rgb.astype(float)]
    sof_factors = factors
    if len(factors) == 1:  # a single-component scan is non-interleaved: plain raster order of 8×8 blocks
        factors = [(1, 1)]
    hmax, vmax = max(f[0] for f in factors), max(f[1] for f in factors)
    mx, my = -(-w // (8 * hmax)), -(-h // (8 * vmax))
    q = np.full((8, 8), 6); q[0, 0] = 4; q[4:, 4:] = 12
    k = np.arange(8)
    dct = np.sqrt(2 / 8) * np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16); dct[0] /= np.sqrt(2)
    zz = sorted(((x, y) for x in range(8) for y in range(8)), key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 == 0 else p[0]))
    comps = []
    for (fh, fv), pl in zip(factors, planes):
        cw, ch = -(-w * fh // hmax), -(-h * fv // vmax)
        ys = (np.arange(ch) * vmax // fv).clip(0, h - 1); xs = (np.arange(cw) * hmax // fh).clip(0, w - 1)
        sub = pl[ys][:, xs]
        full = np.pad(sub, ((0, my * fv * 8 - ch), (0, mx * fh * 8 - cw)), mode="edge") - 128
        comps.append(full)
    bits = []
    out = bytearray()

    def put(v, n):
        for i in range(n - 1, -1, -1): bits.append((v >> i) & 1)

    def flush():
        while len(bits) % 8: bits.append(1)
        for i in range(0, len(bits), 8):
            byte = int("".join(map(str, bits[i:i + 8])), 2)
            out.append(byte)
            if byte == 0xFF: out.append(0)
        bits.clear()

    def cat(v):
        return 0 if v == 0 else int(abs(v)).bit_length()

    def put_val(v, n):
        if n: put(v if v > 0 else v + (1 << n) - 1, n)

    def put_ac(sym):
        put(sym, 8) if sym < 255 else put(510, 9)

    preds = [0] * len(factors)
    nmcu = 0
    for by in range(my):
        for bx in range(mx):
            if restart and nmcu and nmcu % restart == 0:
                flush(); out += bytes([0xFF, 0xD0 + (nmcu // restart - 1) % 8]); preds = [0] * len(factors)
            nmcu += 1
            for ci, ((fh, fv), full) in enumerate(zip(factors, comps)):
                for v in range(fv):
                    for u in range(fh):
                        y0, x0 = (by * fv + v) * 8, (bx * fh + u) * 8
                        c = np.round(dct @ full[y0:y0 + 8, x0:x0 + 8] @ dct.T / q).astype(int).clip(-1023, 1023)
                        diff = int(c[0, 0]) - preds[ci]; preds[ci] = int(c[0, 0])
                        put(cat(diff), 4); put_val(diff, cat(diff))
                        run = 0
                        for (yy, xx) in zz[1:]:
                            a = int(c[yy, xx])
                            if a == 0: run += 1; continue
                            while run > 15: put_ac(0xF0); run -= 16
                            put_ac(run * 16 + cat(a)); put_val(a, cat(a)); run = 0
                        if run: put_ac(0)
    flush()
    n = len(factors)
    seg = lambda m, body: bytes([0xFF, m]) + struct.pack(">H", len(body) + 2) + body
    hdr = b"\xff\xd8" + seg(0xDB, bytes([0]) + bytes(int(q.flatten()[y * 8 + x]) for (y, x) in zz))
    hdr += seg(0xC0, struct.pack(">BHHB", 8, h, w, n) + b"".join(bytes([i + 1, fh * 16 + fv, 0]) for i, (fh, fv) in enumerate(sof_factors)))
    hdr += seg(0xC4, bytes([0x00]) + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12)))
    hdr += seg(0xC4, bytes([0x10]) + bytes([0] * 7 + [255, 1] + [0] * 7) + bytes(range(256)))
    if restart: hdr += seg(0xDD, struct.pack(">H", restart))
    hdr += seg(0xDA, bytes([n]) + b"".join(bytes([i + 1, 0]) for i in range(n)) + bytes([0, 63, 0]))
    return hdr + bytes(out) + b"\xff\xd9"


def cross_check(path, exp):
    """Pillow must agree with the expected array of a hand-made PNG wherever it keeps full precision
    (it reduces 16-bit colour to 8 bits and keeps grey tRNS as metadata): returns 1 if compared."""
    im = Image.open(path)
    if im.mode == "P":
        im = im.convert("RGBA")
    elif im.mode == "1":
        im = im.convert("L")
    got = np.asarray(im).astype(np.int64)
    if got.ndim == 2 and exp.ndim == 3 and exp.shape[2] == 2:
        exp = exp[..., 0]  # grey + alpha from tRNS: Pillow returns the grey plane
    if got.shape != exp.shape or (exp.max() > 255 and im.mode not in ("I", "I;16")):
        return 0
    assert np.array_equal(got, exp), f"Pillow disagrees with the hand-made PNG writer on {path}"
    return 1


def main(out):
    rng = np.random.default_rng(1234)
    ind = os.path.join(out, "in")
    os.makedirs(ind, exist_ok=True)
    manifest = []

    def rel(path):  # generated inputs are listed relative to OUT, so the directory can be renamed
        return os.path.relpath(path, out) if path.startswith(out) else path

    def ref(name, kind, path, arr):
        np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(np.asarray(arr).astype(np.int32)))
        manifest.append(f"{name}\t{kind}\t{rel(path)}")

    def pil(path, kind, name):
        im = ImageOps.exif_transpose(Image.open(path))
        ref(name, kind, path, np.asarray(im))

    for f in sorted(glob.glob("/usr/share/darknet/data/*.jpg")):
        pil(f, "jpeg", "darknet_" + os.path.basename(f)[:-4])
    for f in ["hubble_deep_field.jpg", "rocket.jpg"]:
        pil(SK + f, "jpeg", "sk_" + f[:-4])
    for f in ["chelsea.png", "coffee.png", "camera.png", "logo.png", "palette_gray.png", "green_palette.png"]:
        im = Image.open(SK + f)
        if im.mode == "P":
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        ref("sk_" + f[:-4], "png", SK + f, np.asarray(im))

    base = Image.open(SK + "astronaut.png").convert("RGB").crop((17, 31, 17 + 301, 31 + 237))
    for sub in (0, 1, 2):
        for prog in (False, True):
            for q in (75, 95):
                name = f"gen_s{sub}_{'prog' if prog else 'base'}_q{q}"
                p = os.path.join(ind, name + ".jpg")
                base.save(p, quality=q, subsampling=sub, progressive=prog, optimize=prog)
                pil(p, "jpeg", name)
    for prog in (False, True):
        p = os.path.join(ind, f"gen_grey_{prog}.jpg")
        base.convert("L").save(p, quality=90, progressive=prog)
        pil(p, "jpeg", f"gen_grey_{'prog' if prog else 'base'}")
    tiny = base.resize((3, 2))
    for sub in (0, 1, 2):
        p = os.path.join(ind, f"gen_tiny_s{sub}.jpg")
        tiny.save(p, quality=90, subsampling=sub)
        pil(p, "jpeg", f"gen_tiny_s{sub}")
    p = os.path.join(ind, "gen_cmyk.jpg")  # Adobe APP14, transform 0, inverted CMYK
    base.crop((0, 0, 53, 37)).convert("CMYK").save(p, quality=90)
    ref("gen_cmyk", "jpeg", p, np.asarray(Image.open(p).convert("RGB")))
    for o in (2, 3, 4, 5, 6, 7, 8):
        ex = Image.Exif()
        ex[0x0112] = o
        p = os.path.join(ind, f"gen_exif{o}.jpg")
        base.crop((0, 0, 61, 43)).save(p, quality=90, exif=ex.tobytes())
        pil(p, "jpeg", f"gen_exif{o}")

    for name, factors, size, rst in [("h4v1", [(4, 1), (1, 1), (1, 1)], (37, 19), 0), ("mixed", [(2, 2), (1, 2), (2, 1)], (45, 29), 0),
                                     ("h3v1_rst3", [(3, 1), (1, 1), (1, 1)], (50, 17), 3), ("h1v2_rst1", [(1, 2), (1, 1), (1, 1)], (23, 41), 1),
                                     ("grey2x2", [(2, 2)], (21, 13), 2)]:
        arr = np.asarray(base.crop((60, 80, 60 + size[0], 80 + size[1])).convert("RGB" if len(factors) == 3 else "L"))
        p = os.path.join(ind, f"hand_{name}.jpg")
        open(p, "wb").write(hand_jpeg(arr, factors, rst))
        pil(p, "jpeg", f"hand_{name}")

    small = base.crop((0, 0, 67, 45))
    for mode in ["1", "L", "LA", "RGB", "RGBA", "I;16"]:
        im = small.convert("L").convert(mode) if mode in ("1", "I;16") else small.convert(mode)
        if mode == "I;16":
            im = Image.fromarray((np.asarray(small.convert("L")).astype(np.uint16) * 257).astype(np.uint16))
        p = os.path.join(ind, f"pil_{mode.replace(';', '')}.png")
        im.save(p)
        arr = np.asarray(Image.open(p).convert("L")) if mode == "1" else np.asarray(Image.open(p))
        ref(f"pil_{mode.replace(';', '')}", "png", p, arr)
    for bits in (1, 2, 4, 8):
        im = small.quantize(colors=1 << bits)
        p = os.path.join(ind, f"pil_P{bits}.png")
        im.save(p, bits=bits)
        ref(f"pil_P{bits}", "png", p, np.asarray(Image.open(p).convert("RGB")))
    checked = 0
    for name, (data, exp) in hand_pngs(out, rng).items():
        p = os.path.join(ind, name + ".png")
        open(p, "wb").write(data)
        ref(name, "png", p, exp)
        checked += cross_check(p, exp)
    assert checked >= 20, f"only {checked} hand-made PNGs could be checked against Pillow"

    for mode, ext in [("L", "pgm"), ("RGB", "ppm")]:
        p = os.path.join(ind, f"pil_{mode}.{ext}")
        small.convert(mode).save(p)
        ref(f"pil_{mode}_{ext}", "pnm", p, np.asarray(Image.open(p)))
    g16 = rng.integers(0, 65536, size=(5, 7))
    p = os.path.join(ind, "hand_16.pgm")
    open(p, "wb").write(b"P5\n# comment\n7 5\n65535\n" + g16.astype(">u2").tobytes())
    ref("hand_16_pgm", "pnm", p, g16)
    a3 = rng.integers(0, 256, size=(4, 3, 3))
    p = os.path.join(ind, "hand_ascii.ppm")
    open(p, "w").write("P3\n3 4\n255\n" + " ".join(str(v) for v in a3.flatten()) + "\n")
    ref("hand_ascii_ppm", "pnm", p, a3)

    for dt in ["<f4", "<f8", "|u1", "<i8", "<i4"]:
        a = (np.arange(2 * 3 * 5) * 7 % 23 - 5).reshape(2, 3, 5).astype(dt)
        p = os.path.join(ind, f"np_{dt[1:]}.npy")
        np.save(p, a)
        manifest.append(f"np_{dt[1:]}\tnpy\t{rel(p)}")
    for ver in [(2, 0), (3, 0)]:
        p = os.path.join(ind, f"np_v{ver[0]}.npy")
        with open(p, "wb") as fh:
            np.lib.format.write_array(fh, np.arange(6, dtype="<f4").reshape(2, 3) - 2, version=ver)
        manifest.append(f"np_v{ver[0]}\tnpy\t{rel(p)}")
    p = os.path.join(ind, "np_fortran.npy")
    np.save(p, np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    manifest.append(f"np_fortran\tnpy\t{rel(p)}")

    with open(os.path.join(out, "manifest.tsv.tmp"), "w") as fh:
        fh.write("\n".join(manifest) + "\n")
    os.replace(os.path.join(out, "manifest.tsv.tmp"), os.path.join(out, "manifest.tsv"))


def verify(d):
    for p in sorted(glob.glob(os.path.join(d, "*.png"))):
        name = os.path.basename(p)
        exp = np.load(p[:-4] + ".expect.npy")
        got = np.asarray(Image.open(p)).astype(np.int64)
        ok = got.shape == exp.shape and np.array_equal(got, exp)
        print(("OK " if ok else "FAIL ") + name + ("" if ok else f" shape {got.shape} vs {exp.shape}"))
    for p in sorted(glob.glob(os.path.join(d, "*.npy"))):
        if p.endswith(".expect.npy"): continue
        a = np.load(p)
        i = np.arange(a.size)
        exp = (i * 0.5 - 3 if a.dtype.kind == "f" else i * 3 % 251 if a.dtype == np.uint8 else i * 3 - 7).astype(a.dtype).reshape(a.shape)
        ok = np.array_equal(a, exp) and a.flags.c_contiguous
        print(("OK " if ok else "FAIL ") + os.path.basename(p) + f" {a.dtype.str} {a.shape}")


if __name__ == "__main__":
    if sys.argv[1] == "--verify":
        verify(sys.argv[2])
    else:
        main(os.path.abspath(sys.argv[1]))
