namespace RawConv.Imaging;

/// <summary>Turns images into network input tensors (1, C, H, W) by a <see cref="Preprocessing"/>, C = 3 or 1; <see cref="Deprocess"/> is the exact inverse of its normalization.</summary>
public static class Preprocess
{
    /// <summary>Reads a mean image from a .npy of shape (C, H, W) or (1, C, H, W).</summary>
    public static MeanImage ReadMeanImage(string path)
    {
        var (shape, data, _) = Npy.Read(path);
        var dims = shape.Length == 4 && shape[0] == 1 ? shape[1..] : shape;
        if (dims.Length != 3) throw new RawConvException($"{path}: mean image of shape ({string.Join(", ", shape)}) is not (C, H, W)");
        var f = data as float[] ?? new float[data.Length];
        if (data is not float[])
            for (int i = 0; i < f.Length; i++) f[i] = Convert.ToSingle(data.GetValue(i));
        return new MeanImage(f, dims[0], dims[1], dims[2]);
    }

    /// <summary>The preprocessed image as a tensor (1, 3, H, W) on <paramref name="backend"/>.</summary>
    public static Tensor ToTensor(Image img, Preprocessing o, IBackend backend)
    {
        var (f, h, w) = ToPlanes(img, o);
        return Tensor.FromArray(backend, Shape.Nchw(1, o.Channels, h, w), f);
    }

    /// <summary>Several images as one batch (N, 3, H, W); they must come out the same size (use a crop).</summary>
    public static Tensor Batch(IReadOnlyList<Image> images, Preprocessing o, IBackend backend)
    {
        if (images.Count == 0) throw new RawConvException("preprocess: empty batch");
        var planes = images.Select(i => ToPlanes(i, o)).ToList();
        var (_, h, w) = planes[0];
        for (int i = 1; i < planes.Count; i++)
            if (planes[i].H != h || planes[i].W != w)
                throw new RawConvException($"preprocess: batch image {i} comes out {planes[i].W}×{planes[i].H}, image 0 {w}×{h} (set a crop size)");
        int c = o.Channels;
        var all = new float[(long)planes.Count * c * h * w];
        for (int i = 0; i < planes.Count; i++) planes[i].Data.CopyTo(all, (long)i * c * h * w);
        return Tensor.FromArray(backend, Shape.Nchw(planes.Count, c, h, w), all);
    }

    /// <summary>The preprocessed image as planar floats (C, H, W), C = <see cref="Preprocessing.Channels"/>, with its size.</summary>
    public static (float[] Data, int H, int W) ToPlanes(Image img, Preprocessing o)
    {
        int channels = o.Channels;
        if (channels is not (1 or 3)) throw new RawConvException($"preprocess: {channels} channels; images give 1 (grey) or 3");
        Validate(o, channels);
        var im = Geometry(img, o);
        int h = im.Height, w = im.Width, plane = h * w;
        var mean = MeanPlanes(o, h, w);
        var f = new float[channels * plane];
        for (int c = 0; c < channels; c++)
        {
            int src = o.ChannelOrder == ChannelOrder.BGR ? 2 - c : c;
            bool noStd = o.Std.Length == 0;
            float sd = noStd ? 1f : o.Std.Length == 1 ? o.Std[0] : o.Std[c];
            for (int p = 0; p < plane; p++)
            {
                float v = channels == 1 ? Luma(im.Data[p * 3], im.Data[p * 3 + 1], im.Data[p * 3 + 2]) : im.Data[p * 3 + src];
                float x = v * o.Scale - mean(c, p);
                f[c * plane + p] = noStd ? x : x / sd;
            }
        }
        return (f, h, w);
    }

    /// <summary>ITU-R 601 luma of an 8-bit RGB pixel, rounded as Pillow's "L" conversion does.</summary>
    public static ushort Luma(int r, int g, int b) => (ushort)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    /// <summary>The geometric part alone, as 8-bit RGB: letterboxed onto the canvas, or shorter side resized and centre-cropped.</summary>
    public static Image Geometry(Image img, Preprocessing o)
    {
        if (o.Letterbox > 0) img = Letterbox(img, o);
        var im = img.Channels == 3 && img.BitDepth == 8 ? img : img.ToRgb8();
        if (o.Letterbox > 0) return im;
        if (o.ShorterSide > 0) im = Resize.ShorterSide(im, o.ShorterSide);
        if (o.Height > 0 && o.Width > 0) im = CenterCrop(im, o.Width, o.Height);
        return im;
    }

    /// <summary>For letterboxed inputs (<see cref="Preprocessing.Letterbox"/> &gt; 0): the image scaled (aspect kept) to fit the box and centred on a black canvas of the input size; else unchanged.</summary>
    public static Image Letterbox(Image img, Preprocessing pre)
    {
        if (pre.Letterbox <= 0) return img;
        double f = (double)pre.Letterbox / Math.Max(img.Width, img.Height);
        int w = Math.Max(1, (int)Math.Round(img.Width * f)), h = Math.Max(1, (int)Math.Round(img.Height * f));
        var fitted = w == img.Width && h == img.Height ? img : Resize.Bilinear(img, w, h);
        var canvas = new Image(pre.Width, pre.Height, img.Channels, img.BitDepth);
        int top = (pre.Height - h) / 2, left = (pre.Width - w) / 2, c = img.Channels;
        for (int y = 0; y < h; y++)
            Array.Copy(fitted.Data, y * w * c, canvas.Data, ((top + y) * pre.Width + left) * c, w * c);
        return canvas;
    }

    /// <summary>
    /// torchvision's center_crop: top = round((H − h)/2), left = round((W − w)/2) with Python's round-half-even;
    /// an image smaller than the crop is first zero-padded by ⌊(h − H)/2⌋ on top (and left), the rest at the bottom.
    /// </summary>
    public static Image CenterCrop(Image img, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new RawConvException($"crop: size {width}×{height} must be positive (image {img})");
        int padL = width > img.Width ? (width - img.Width) / 2 : 0, padT = height > img.Height ? (height - img.Height) / 2 : 0;
        int pw = Math.Max(width, img.Width), ph = Math.Max(height, img.Height);
        int left = (int)Math.Round((pw - width) / 2.0, MidpointRounding.ToEven) - padL;
        int top = (int)Math.Round((ph - height) / 2.0, MidpointRounding.ToEven) - padT;
        return Crop(img, left, top, width, height);
    }

    /// <summary>The region at (left, top) of size width × height; pixels outside the image are zero.</summary>
    public static Image Crop(Image img, int left, int top, int width, int height)
    {
        var o = new Image(width, height, img.Channels, img.BitDepth);
        int ch = img.Channels;
        for (int y = 0; y < height; y++)
        {
            int sy = y + top;
            if (sy < 0 || sy >= img.Height) continue;
            for (int x = 0; x < width; x++)
            {
                int sx = x + left;
                if (sx < 0 || sx >= img.Width) continue;
                Array.Copy(img.Data, ((long)sy * img.Width + sx) * ch, o.Data, ((long)y * width + x) * ch, ch);
            }
        }
        return o;
    }

    /// <summary>Per (channel, pixel) mean of the cropped image: per-channel values or the centre of the mean image.</summary>
    internal static Func<int, int, float> MeanPlanes(Preprocessing o, int h, int w)
    {
        if (o.MeanImage is { } m)
        {
            if (m.Channels != 3 || m.Height < h || m.Width < w || m.Data.Length != (long)m.Channels * m.Height * m.Width)
                throw new RawConvException($"preprocess: mean image ({m.Channels}, {m.Height}, {m.Width}) with {m.Data.Length} values does not cover (3, {h}, {w})");
            int top = (int)Math.Round((m.Height - h) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((m.Width - w) / 2.0, MidpointRounding.ToEven);
            return (c, p) => m.Data[((long)c * m.Height + top + p / w) * m.Width + left + p % w];
        }
        var mean = o.Mean;
        return mean.Length switch { 0 => (_, _) => 0f, 1 => (_, _) => mean[0], _ => (c, _) => mean[c] };
    }

    internal static void Validate(Preprocessing o, int channels)
    {
        if (o.ShorterSide < 0 || o.Height < 0 || o.Width < 0 || o.Letterbox < 0)
            throw new RawConvException($"preprocess: negative size (resize {o.ShorterSide}, crop {o.Height}×{o.Width}, letterbox {o.Letterbox})");
        if (o.Letterbox > 0 && (o.Height <= 0 || o.Width <= 0))
            throw new RawConvException($"preprocess: letterbox {o.Letterbox} needs a positive canvas size, got {o.Height}×{o.Width}");
        if (o.Scale == 0 || !float.IsFinite(o.Scale)) throw new RawConvException($"preprocess: scale {o.Scale} must be finite and non-zero");
        if (o.Mean.Length is not (0 or 1) && o.Mean.Length != channels)
            throw new RawConvException($"preprocess: {o.Mean.Length} mean values for {channels} channels");
        if (o.Std is { Length: > 0 } s && (s.Length is not 1 && s.Length != channels || s.Any(v => v == 0 || !float.IsFinite(v))))
            throw new RawConvException($"preprocess: std ({string.Join(", ", s)}) must hold 1 or {channels} finite non-zero values");
    }
}
