using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Imaging;
using OcclusionScan = RawConv.Algorithms.Seeing.Occlusion;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Correspondence() => new CorrespondenceVerb().Command;

    /// <summary>Parses y0,x0,y1,x1.</summary>
    internal static Box ParseBox(string text)
    {
        var v = text.Split(',', StringSplitOptions.TrimEntries);
        if (v.Length != 4 || !v.All(s => int.TryParse(s, out _)))
            throw new RawConvException($"correspondence: --box '{text}' is not y0,x0,y1,x1 (four integers)");
        var i = v.Select(int.Parse).ToArray();
        return new Box(i[0], i[1], i[2], i[3]);
    }

    /// <summary>The last convolution's rectified output and, when there is one, the rectified output of the last fully connected layer before the classifier.</summary>
    internal static string[] DefaultLayers(NetSpec spec)
    {
        var roles = spec.Roles;
        return roles.HasHiddenFc ? [roles.ConvFeatures, roles.Rectified(roles.Penultimate)] : [roles.ConvFeatures];
    }

    /// <summary>Draws a 1-pixel red outline just around <paramref name="box"/> (inside the image).</summary>
    internal static Image Outline(Image img, Box box)
    {
        void Set(int y, int x)
        {
            if (y < 0 || x < 0 || y >= img.Height || x >= img.Width) return;
            int at = (y * img.Width + x) * 3;
            img.Data[at] = 255; img.Data[at + 1] = 0; img.Data[at + 2] = 0;
        }
        for (int x = box.X0 - 1; x <= box.X1; x++) { Set(box.Y0 - 1, x); Set(box.Y1, x); }
        for (int y = box.Y0 - 1; y <= box.Y1; y++) { Set(y, box.X0 - 1); Set(y, box.X1); }
        return img;
    }
}
