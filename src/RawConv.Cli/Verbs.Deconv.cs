using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>The rules `deconv --rules` knows, by their command-line names.</summary>
    private static readonly (string Name, ReluRule Rule)[] DeconvRules =
        [("deconvnet", ReluRule.Deconvnet), ("gradient", ReluRule.Standard), ("guided", ReluRule.Guided)];

    public static Command Deconv()
    {
        var model = ModelOption(); var proto = PrototxtOption(); var pre = PreprocessOption(); var device = DeviceOption();
        var image = ImageOption(); var input = InputOption(); var json = JsonOption();
        var layer = new Option<string>("--layer") { Description = "the layer to project from (see `rawconv info`)", Required = true };
        var unit = new Option<int?>("--unit") { Description = "feature map C: project its largest activation (or, with --whole-map, all of it)" };
        var strongest = new Option<bool>("--strongest") { Description = "project the single largest activation of the layer (the default)" };
        var wholeMap = new Option<bool>("--whole-map") { Description = "with --unit: keep the whole feature map (DeepVis)" };
        var rules = new Option<string>("--rules") { Description = "comma-separated: deconvnet, gradient, guided (all from one forward pass)", DefaultValueFactory = _ => "deconvnet,gradient,guided" };
        var output = new Option<string>("--out")
        {
            Description = "x.png: per image, input | one projection per rule side by side (x-N.png for several images), JSON sidecar; " +
                          "x.npy: the raw NCHW float32 projections, one file per rule (x.deconvnet.npy, x.gradient.npy, x.guided.npy) and x.json",
            Required = true,
        };
        var cmd = new Command("deconv", "Zeiler–Fergus deconvnet projection of a unit to pixel space, beside the gradient and guided-backprop projections of the same unit.")
            { model, proto, pre, device, image, input, layer, unit, strongest, wholeMap, rules, output, json };
        cmd.SetAction(p =>
        {
            string layerName = p.GetValue(layer)!, outPath = p.GetValue(output)!;
            var choice = Choice(layerName, p.GetValue(unit), p.GetValue(strongest), p.GetValue(wholeMap));
            var chosen = ParseRules(p.GetValue(rules)!);
            bool npy = Outputs.IsNpy(outPath);
            if (!npy && !Path.GetExtension(outPath).Equals(".png", StringComparison.OrdinalIgnoreCase))
                throw new RawConvException($"{outPath}: --out must end in .png or .npy");
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), p.GetValue(proto), p.GetValue(pre), b);
            m.Net.Spec.IndexOf(layerName);
            var (x, names) = Inputs.Load(p.GetValue(image), p.GetValue(input), m, b);
            using (x)
            {
                int n = x.Shape.N;
                var projections = new List<Projection>();
                try
                {
                    using (var pass = m.Net.Forward(x, layerName))
                        foreach (var (_, rule) in chosen)
                            projections.Add(Deconvnet.Project(m.Net, pass, Enumerable.Repeat(choice, n).ToArray(), rule));
                    var picks = projections[0].Units;
                    var files = new List<string>();
                    if (npy)
                        for (int r = 0; r < chosen.Length; r++)
                        {
                            string f = Path.ChangeExtension(outPath, $".{chosen[r].Name}.npy");
                            Outputs.Npy(f, projections[r].Input);
                            files.Add(f);
                        }
                    var images = Enumerable.Range(0, n).Select(i => new
                    {
                        image = names[i], layer = layerName, mode = ModeName(choice.Mode), channel = picks[i].Channel, y = picks[i].Y, x = picks[i].X,
                        value = picks[i].Value, output = npy ? null : PerImagePath(outPath, i, n),
                    }).ToList();
                    var payload = new { model = m.Source, layer = layerName, mode = ModeName(choice.Mode), rules = chosen.Select(c => c.Name).ToArray(), images, files };
                    if (npy) Outputs.Sidecar(outPath, payload);
                    else
                    {
                        var hosts = projections.Select(pr => pr.Input.ToArray()).ToList();
                        for (int i = 0; i < n; i++)
                        {
                            var s = x.Shape;
                            var tiles = new List<Image> { Display.Input(x, i, m.Preprocessing) };
                            int per = s.C * s.H * s.W;
                            foreach (var all in hosts) tiles.Add(Display.Signed(all.AsSpan(i * per, per), s.C, s.H, s.W, m.Preprocessing));
                            string f = PerImagePath(outPath, i, n);
                            Outputs.Png(f, Strip(tiles, UpscaleFor(s.H, s.W)), new
                            {
                                model = m.Source, images[i].image, layer = layerName, images[i].mode, images[i].channel, images[i].y, images[i].x, images[i].value,
                                rules = chosen.Select(c => c.Name).ToArray(), tiles = new[] { "input" }.Concat(chosen.Select(c => c.Name)).ToArray(),
                            });
                            files.Add(f);
                        }
                    }
                    Print(p.GetValue(json), payload, () =>
                    {
                        foreach (var im in images) Console.WriteLine($"{im.image}: {layerName} {im.mode} channel {im.channel} at ({im.y}, {im.x}) = {im.value:G6}");
                        foreach (var f in files) Console.WriteLine($"wrote {f}");
                    });
                }
                finally
                {
                    foreach (var pr in projections) pr.Dispose();
                }
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>--unit / --strongest / --whole-map as a unit choice.</summary>
    internal static UnitChoice Choice(string layer, int? unit, bool strongest, bool wholeMap)
    {
        if (unit is { } c)
        {
            if (strongest) throw new RawConvException("deconv: give --unit C or --strongest, not both");
            return wholeMap ? UnitChoice.WholeMap(layer, c) : UnitChoice.Unit(layer, c);
        }
        if (wholeMap) throw new RawConvException("deconv: --whole-map needs --unit C (which feature map to keep)");
        return UnitChoice.Strongest(layer);
    }

    private static (string Name, ReluRule Rule)[] ParseRules(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) throw new RawConvException("deconv: --rules is empty; use deconvnet, gradient, guided");
        return names.Select(n => DeconvRules.FirstOrDefault(r => r.Name == n) is { Name: not null } r ? r
            : throw new RawConvException($"deconv: unknown rule '{n}'; use deconvnet, gradient, guided")).ToArray();
    }

    private static string ModeName(UnitMode mode) => mode switch
    {
        UnitMode.Strongest => "strongest",
        UnitMode.Unit => "unit",
        UnitMode.WholeMap => "whole-map",
        _ => "at",
    };

    /// <summary>OUT for one image; OUT-i.EXT for image i of several.</summary>
    internal static string PerImagePath(string outPath, int i, int n) =>
        n == 1 ? outPath : Path.Combine(Path.GetDirectoryName(outPath) ?? "", $"{Path.GetFileNameWithoutExtension(outPath)}-{i}{Path.GetExtension(outPath)}");

    /// <summary>Nearest-neighbour upscaling so small inputs (e.g. 40×40 → ×4) are visible; 1 from 160 pixels up.</summary>
    internal static int UpscaleFor(int h, int w) => Math.Clamp(160 / Math.Max(1, Math.Max(h, w)), 1, 8);

    /// <summary>Tiles side by side, upscaled by nearest neighbour, 2 white pixels apart; RGBA tiles are composited on white first.</summary>
    internal static Image Strip(IReadOnlyList<Image> tiles, int upscale) =>
        Grid.Images(tiles.Select(OnWhite).ToList(), new GridOptions { Rows = 1, Padding = 2, Upscale = upscale });

    private static Image OnWhite(Image img)
    {
        if (img.Channels != 4 || img.BitDepth != 8) return img;
        var o = new Image(img.Width, img.Height, 3);
        for (int p = 0; p < img.Width * img.Height; p++)
        {
            float a = img.Data[p * 4 + 3] / 255f;
            for (int c = 0; c < 3; c++) o.Data[p * 3 + c] = (ushort)MathF.Round(img.Data[p * 4 + c] * a + 255 * (1 - a));
        }
        return o;
    }
}
