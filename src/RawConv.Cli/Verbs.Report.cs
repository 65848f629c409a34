using System.CommandLine;
using System.Diagnostics;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Algorithms.Training;
using RawConv.Graph;
using RawConv.Imaging;
using RawConv.Ops;

namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>
    /// The main job's demo: what the network sees for a few Fashion-MNIST test images — test-set accuracy
    /// and confusion matrix, classifications, and the visualizations of issue 5 — as PNGs with JSON
    /// sidecars and an index.html.
    /// </summary>
    public static Command Report()
    {
        var model = ModelOption(); var device = DeviceOption(); var json = JsonOption();
        var output = new Option<string>("--out") { Description = "folder for index.html and the pictures", DefaultValueFactory = _ => "out/report" };
        var perClass = new Option<int>("--per-class") { Description = "test images shown per class", DefaultValueFactory = _ => 2 };
        var evalLimit = new Option<int>("--eval-limit") { Description = "test images evaluated for the accuracy table (0: all)" };
        var cmd = new Command("report", "Write the demo report (index.html + PNGs with JSON sidecars) of what the default model sees.")
            { model, device, output, perClass, evalLimit, json };
        cmd.SetAction(p =>
        {
            var clock = Stopwatch.StartNew();
            using var b = Open(p.GetValue(device));
            using var m = Models.Load(RequireModel(p.GetValue(model)), null, null, b);
            string dir = p.GetValue(output)!;
            Directory.CreateDirectory(dir);
            var spec = m.Net.Spec;
            var test = Dataset("fashion-mnist:test", "test", spec);
            var page = new HtmlReport($"RawConv report: {Path.GetFileName(m.Source)}");
            page.Text($"Made by `{Outputs.CommandLine}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, device {b.Info.Name}. Model {m.Source}: {spec.Name}, {spec.ParameterCount():N0} parameters, {spec.MultiplyAdds():N0} multiply-adds per image.")
                .Code(spec.Info());

            var summary = new Dictionary<string, object>();
            ReportAccuracy(page, summary, m, test, p.GetValue(evalLimit));
            var picks = PickPerClass(test, p.GetValue(perClass));
            ReportClassifications(page, summary, m, test, picks, dir);

            string index = page.Save(dir);
            summary["seconds"] = clock.Elapsed.TotalSeconds;
            Outputs.Sidecar(Path.Combine(dir, "report.json"), summary);
            Print(p.GetValue(json), new { output = index, summary }, () => Console.WriteLine($"wrote {index} in {clock.Elapsed.TotalSeconds:F0} s"));
            return 0;
        });
        return cmd;
    }

    /// <summary>The first <paramref name="perClass"/> test items of every class, in class order.</summary>
    private static int[] PickPerClass(IDataset data, int perClass)
    {
        var picks = new List<int>();
        for (int c = 0; c < data.Classes.Count; c++)
            picks.AddRange(Enumerable.Range(0, data.Count).Where(i => data.Label(i) == c).Take(perClass));
        return [.. picks];
    }

    private static void ReportAccuracy(HtmlReport page, Dictionary<string, object> summary, LoadedModel m, IDataset test, int limit)
    {
        var data = limit > 0 ? test.Take(limit) : test;
        var r = Evaluator.Evaluate(m.Net, data);
        int k = data.Classes.Count;
        page.Section("Test-set accuracy", $"Fashion-MNIST test split, {r.N} images: top-1 {r.Top1:P2}, top-5 {r.Top5:P2}. Confusion matrix (rows: true class, columns: predicted):")
            .Table(["true \\ predicted", .. data.Classes], Enumerable.Range(0, k).Select(i =>
                (IReadOnlyList<string>)[data.Classes[i], .. Enumerable.Range(0, k).Select(j => r.Confusion[i, j].ToString())]));
        summary["top1"] = r.Top1;
        summary["top5"] = r.Top5;
        summary["n"] = r.N;
    }

    private static void ReportClassifications(HtmlReport page, Dictionary<string, object> summary, LoadedModel m, IDataset test, int[] picks, string dir)
    {
        var (x, labels) = test.Get(m.Net.Backend, picks);
        using (x)
        {
            var results = Run(m, x, picks.Select(i => $"test[{i}]").ToArray(), 3);
            var figures = new List<(string, string)>();
            var rows = new List<object>();
            for (int i = 0; i < picks.Length; i++)
            {
                string file = $"image-{picks[i]}.png";
                var top = results[i].Top;
                string caption = $"test[{picks[i]}] {test.Classes[labels[i]]} → " + string.Join(", ", top.Select(t => $"{t.Label} {t.Probability:P1}"));
                Outputs.Png(Path.Combine(dir, file), Resize.Nearest(Display.Input(x, i, m.Preprocessing), 3),
                    new { model = m.Source, index = picks[i], label = test.Classes[labels[i]], top });
                figures.Add((file, caption));
                rows.Add(new { index = picks[i], label = labels[i], top });
            }
            page.Section("Classifications", "Test images (shown ×3) with their true class and the network's top three.").Figures(figures);
            summary["classifications"] = rows;
        }
    }
}
