namespace RawConv.Imaging;

public static partial class Png
{
    /// <summary>
    /// Encodes frames of one size and colour type as an animated PNG (APNG: acTL, then fcTL + IDAT for the first frame
    /// and fcTL + fdAT for the others), each shown <paramref name="delayMs"/> milliseconds, looping
    /// <paramref name="plays"/> times (0: forever). Viewers without APNG support show the first frame.
    /// </summary>
    public static byte[] EncodeAnimation(IReadOnlyList<Image> frames, int delayMs = 100, int plays = 0)
    {
        if (frames.Count == 0) throw new RawConvException("APNG: no frames");
        if (delayMs is < 1 or > 65535) throw new RawConvException($"APNG: frame delay {delayMs} ms must lie in 1–65535");
        var first = frames[0];
        for (int i = 1; i < frames.Count; i++)
        {
            var f = frames[i];
            if (f.Width != first.Width || f.Height != first.Height || f.Channels != first.Channels || f.BitDepth != first.BitDepth)
                throw new RawConvException($"APNG: frame {i} is {f}, frame 0 {first}; frames must match");
        }
        var ms = new MemoryStream();
        ms.Write(Signature);
        WriteChunk(ms, "IHDR", Header(first));
        var actl = new byte[8];
        PutU32(actl, 0, (uint)frames.Count);
        PutU32(actl, 4, (uint)plays);
        WriteChunk(ms, "acTL", actl);
        uint seq = 0;
        for (int i = 0; i < frames.Count; i++)
        {
            var fctl = new byte[26];
            PutU32(fctl, 0, seq++);
            PutU32(fctl, 4, (uint)first.Width);
            PutU32(fctl, 8, (uint)first.Height);
            // x and y offsets 0; delay delayMs/1000 s; dispose op none (0), blend op source (0).
            fctl[20] = (byte)(delayMs >> 8);
            fctl[21] = (byte)delayMs;
            fctl[22] = 1000 >> 8;
            fctl[23] = 1000 & 0xFF;
            WriteChunk(ms, "fcTL", fctl);
            var data = ImageData(frames[i]);
            if (i == 0) WriteChunk(ms, "IDAT", data);
            else
            {
                var fdat = new byte[4 + data.Length];
                PutU32(fdat, 0, seq++);
                data.CopyTo(fdat, 4);
                WriteChunk(ms, "fdAT", fdat);
            }
        }
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }
}
