namespace RawConv.Imaging;

/// <summary>EXIF orientation (tag 0x0112, values 1–8) applied as Pillow's <c>ImageOps.exif_transpose</c> does.</summary>
public static class Orientation
{
    /// <summary>Returns the image as it should be displayed for EXIF orientation <paramref name="orientation"/>.</summary>
    public static Image Apply(Image src, int orientation)
    {
        if (orientation is < 2 or > 8) return src;
        int w = src.Width, h = src.Height, ch = src.Channels;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        var o = new Image(ow, oh, ch, src.BitDepth);
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),          // mirror horizontal
                    3 => (w - 1 - x, h - 1 - y),  // rotate 180
                    4 => (x, h - 1 - y),          // mirror vertical
                    5 => (y, x),                  // transpose
                    6 => (y, h - 1 - x),          // rotate 90° clockwise
                    7 => (w - 1 - y, h - 1 - x),  // transverse
                    _ => (w - 1 - y, x),          // 8: rotate 90° counter-clockwise
                };
                Array.Copy(src.Data, ((long)sy * w + sx) * ch, o.Data, ((long)y * ow + x) * ch, ch);
            }
        return o;
    }
}
