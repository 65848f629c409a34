using System.Text.Json;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>
    /// The deep-generator section: DGN-AM pictures of every class (5 seeds each) beside pixel-space class models from the same
    /// 5 seeds at the same number of steps, their mean P(class) in a table, and reconstructions G(E(x)) of the test images.
    /// Skipped with a note when the model has no generator beside it.
    /// </summary>
    private static void ReportDgn(OutputWriter writer, HtmlReport page, Dictionary<string, object> summary, IBackend b, LoadedModel m,
        string[] common, string dir, string allInputs, IReadOnlyList<string> names, bool quick, List<string> made)
    {
        string generator;
        try
        {
            generator = LoadedGenerator.PathFor(null, m);
        }
        catch (RawConvException)
        {
            return;
        }
        page.Section("Deep generator prior (DGN-AM, Nguyen et al. 2016)", $"A generator trained to invert the model's code ({Path.GetFileName(generator)}, " +
            "`rawconv dgn train`, Dosovitskiy and Brox's pixel and feature losses) turns maximization into a search over its code: each class's " +
            "log-probability is ascended over the code of 5 seeded starts (`rawconv dgn --class K`, 200 steps), so the pictures stay on the generator's " +
            "manifold. Top: the 5 starts; below: the first start every 20 steps. The table sets them beside pixel-space class models (`rawconv maximize`, " +
            "the default preset, which ascends the pre-softmax score, the objective pixel space does best with) from the same 5 seeds at the same 200 steps.");
        if (!File.Exists(generator))
        {
            page.Text($"No generator at {generator}: run `rawconv dgn train --out {generator}` (about 30 minutes) to make one.");
            return;
        }
        int classes = Math.Min(m.Classes?.Count ?? 0, 10);
        string iterations = quick ? "20" : "200";
        var figs = new List<(string, string)>();
        var rows = new List<IReadOnlyList<string>>();
        var table = new List<object>();
        for (int k = 0; k < classes; k++)
        {
            string png = $"dgn-class-{k}.png";
            var rendered = RunVerb(new DgnVerb(), writer, b, m, ["dgn", .. common, "--class", k.ToString(), "--seeds", "5", "--iterations", iterations,
                "--out", Path.Combine(dir, png)]);
            double dgn = Number(Payload(rendered), "meanTargetProbability");
            var pixel = new List<double>();
            for (int s = 0; s < 5; s++)
            {
                string pp = $"dgn-pixel-class-{k}-seed-{s}.png";
                var r = RunVerb(new MaximizeVerb(), writer, b, m, ["maximize", .. common, "--target", $"class:{k}", "--seed", s.ToString(),
                    "--iterations", iterations, "--out", Path.Combine(dir, pp)]);
                pixel.Add(Number(Payload(r), "targetProbability"));
            }
            figs.Add((png, $"{m.Classes![k]}: mean P = {dgn:F3} (pixels: {pixel.Average():F3})"));
            rows.Add([m.Classes![k], dgn.ToString("F4"), pixel.Average().ToString("F4")]);
            table.Add(new { label = m.Classes![k], dgn, pixels = pixel.Average() });
            made.Add(png);
        }
        page.Figures(figs, 400);
        var all = table.Select(t => JsonDocument.Parse(SafeJson.Serialize(t)).RootElement).ToList();
        double meanDgn = all.Average(t => Number(t, "dgn")), meanPixels = all.Average(t => Number(t, "pixels"));
        rows.Add(["mean", meanDgn.ToString("F4"), meanPixels.ToString("F4")]);
        page.Table(["class", $"DGN-AM mean P (5 seeds, {iterations} steps)", $"pixel space mean P (5 seeds, {iterations} steps)"], rows);
        summary["dgn"] = new { generator, iterations = int.Parse(iterations), classes = table, meanDgn, meanPixels };

        page.Text("Reconstructions: each test image beside G(E(x)), the generator's drawing of what the model's code keeps of it (`rawconv dgn reconstruct`).");
        var rec = RunVerb(new DgnReconstructVerb(), writer, b, m, ["reconstruct", .. common, "--input", allInputs, "--out", Path.Combine(dir, "dgn-reconstruct.png")],
            ["dgn"]);
        var errors = Payload(rec).GetProperty("images").EnumerateArray().Select(e => Number(e, "relativeError")).ToArray();
        page.Figure("dgn-reconstruct.png", string.Join(", ", names.Select((n, i) => $"{n}: error {errors[i]:F3}")), 240);
        made.Add("dgn-reconstruct.png");
    }
}
