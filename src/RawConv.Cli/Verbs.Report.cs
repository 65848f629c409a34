using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
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
    /// and confusion matrix, classifications, and the seeing visualizations — as PNGs with JSON
    /// sidecars and an index.html.
    /// </summary>
    public static Command Report()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out") { Description = "folder for index.html and the pictures", DefaultValueFactory = _ => "out/report" };
        var perClass = new Option<int>("--per-class") { Description = "test images shown per class", DefaultValueFactory = _ => 2 };
        var evalLimit = new Option<int>("--eval-limit") { Description = "test images evaluated for the accuracy table (0: all)" };
        var topkLimit = new Option<int>("--topk-limit") { Description = "test images scanned for the top-9 and evolution figures (0: all)" };
        var noSeeing = new Option<bool>("--classify-only") { Description = "only accuracy and classifications (no visualizations)" };
        var quick = new Option<bool>("--quick") { Description = "a tenth of the optimization budgets (class models, inversion, DeepDream, adversarial, fooling): a smoke test, not the pictures" };
        var cmd = new Command("report", "Write the demo report (index.html + PNGs with JSON sidecars) of what the default model sees.");
        common.Add(cmd, common.Model, common.Device, output, perClass, evalLimit, topkLimit, noSeeing, quick, common.Json);
        cmd.SetAction(p =>
        {
            var clock = Stopwatch.StartNew();
            var a = common.Read(p);
            string dir = Checks.OutFolder(p.GetValue(output)!);
            int perClassCount = Checks.Int(p.GetValue(perClass), "--per-class", 1, 100, "test images shown per class");
            int evalCount = Checks.Int(p.GetValue(evalLimit), "--eval-limit", 0, int.MaxValue, "0 evaluates all");
            int topkCount = Checks.Int(p.GetValue(topkLimit), "--topk-limit", 0, int.MaxValue, "0 scans all");
            using var session = Session.Open(a);
            var (b, m) = (session.Backend, session.Model);
            var spec = m.Net.Spec;
            var test = Dataset("fashion-mnist:test", "test", spec);
            using var writer = new OutputWriter(OutputWriter.ProcessCommandLine);
            var page = new HtmlReport($"RawConv report: {Path.GetFileName(m.Source)}");
            page.Text($"Made by `{writer.CommandLine}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, device {b.Info.Name}. Model {m.Source}: {spec.Name}, {spec.ParameterCount():N0} parameters, {spec.MultiplyAdds():N0} multiply-adds per image.")
                .Code(spec.Info());

            var summary = new Dictionary<string, object>();
            ReportAccuracy(page, summary, m, test, evalCount);
            var picks = PickPerClass(test, perClassCount);
            ReportClassifications(writer, page, summary, m, test, picks, dir);
            if (!p.GetValue(noSeeing))
                ReportSeeing(writer, page, summary, b, m, test, dir, a.Device, topkCount, p.GetValue(quick));

            string index = Path.Combine(dir, "index.html");
            writer.Stage(new TextFile(index, page.ToHtml()));
            summary["seconds"] = clock.Elapsed.TotalSeconds;
            writer.Sidecar(Path.Combine(dir, "report.json"), summary);
            writer.Commit();
            Print(a.Json, new { output = index, summary }, () => Console.WriteLine($"wrote {index} in {clock.Elapsed.TotalSeconds:F0} s"));
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

    private static void ReportClassifications(OutputWriter writer, HtmlReport page, Dictionary<string, object> summary, LoadedModel m, IDataset test, int[] picks, string dir)
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
                writer.Stage(new PngFile(Path.Combine(dir, file), Resize.Nearest(Display.Input(x, i, m.Preprocessing), 3),
                    new { model = m.Source, index = picks[i], label = test.Classes[labels[i]], top }));
                figures.Add((file, caption));
                rows.Add(new { index = picks[i], label = labels[i], top });
            }
            page.Section("Classifications", "Test images (shown ×3) with their true class and the network's top three.").Figures(figures);
            summary["classifications"] = rows;
        }
    }

    /// <summary>Test images the visualizations are shown on: the first T-shirt/top, trouser, sneaker and bag.</summary>
    private static readonly int[] SeeingClasses = [0, 1, 7, 8];

    /// <summary>
    /// The visualizations, each made by the verb's own compute and render steps on the report's open model, from the
    /// verb's command line (so every picture's sidecar names the exact `rawconv` command that remakes it): deconvnet
    /// projections, top-9 grids, saliency, occlusion, invariance curves and feature evolution over the shipped checkpoints.
    /// The inputs those commands name are written first (they are read back by the commands' own input step).
    /// </summary>
    private static void ReportSeeing(OutputWriter writer, HtmlReport page, Dictionary<string, object> summary, IBackend b, LoadedModel m, IDataset test,
        string dir, string? device, int topkLimit, bool quick)
    {
        // --quick: the optimizing verbs get a tenth of their budgets, named on their command lines like every other setting.
        string[] Budget(params string[] full) => quick ? full : [];
        var spec = m.Net.Spec;
        string inputs = Path.Combine(dir, "inputs");
        var picks = SeeingClasses.Where(c => c < test.Classes.Count)
            .Select(c => Enumerable.Range(0, test.Count).First(i => test.Label(i) == c)).ToArray();
        var files = new List<string>();
        var (all, _) = test.Get(m.Net.Backend, picks);
        using (all)
        using (var inputWriter = new OutputWriter(writer.CommandLine))
        {
            var host = all.ToArray();
            var one = spec.InputShape(1);
            int per = (int)one.Count;
            for (int i = 0; i < picks.Length; i++)
            {
                string f = Path.Combine(inputs, $"test-{picks[i]}.npy");
                inputWriter.Stage(new NpyFile(f, one.Dims, host.AsSpan(i * per, per).ToArray(),
                    new { dataset = "fashion-mnist:test", index = picks[i], label = test.Classes[test.Label(picks[i])] }));
                files.Add(f);
            }
            inputWriter.Stage(new NpyFile(Path.Combine(inputs, "all.npy"), all.Shape.Dims, host,
                new { dataset = "fashion-mnist:test", index = picks, label = picks.Select(i => test.Classes[test.Label(i)]).ToArray() }));
            inputWriter.CommitFor(writer);
        }
        string[] common = ["--model", m.Source, .. device is null ? Array.Empty<string>() : ["--device", device]];
        string Name(int i) => $"test[{picks[i]}] {test.Classes[test.Label(picks[i])]}";
        var convs = spec.Roles.Convolutions;
        string low = convs.Count > 1 ? convs[1] : convs[0], high = convs[^1];
        var made = new List<string>();

        page.Section("Deconvnet projections (Zeiler & Fergus 2014)",
            $"The strongest activation of {low} and of {high} kept, every other activation of the layer zeroed, and projected down to pixels: " +
            "input | deconvnet rule (unpooling by the switches, rectification, transposed filters) | gradient | guided backprop. Grey is zero.");
        var figs = new List<(string, string)>();
        foreach (var layer in new[] { low, high })
            for (int i = 0; i < picks.Length; i++)
            {
                string png = $"deconv-{layer}-test-{picks[i]}.png";
                RunVerb(new DeconvnetVerb(), writer, b, m, ["deconv", .. common, "--input", files[i], "--layer", layer, "--strongest", "--out", Path.Combine(dir, png)]);
                figs.Add((png, $"{Name(i)}: {layer}"));
                made.Add(png);
            }
        page.Figures(figs, 480);

        page.Section("Top-9 activations over the test set",
            "For each feature map, the 9 test images that excite it most (one activation per image), projected by the deconvnet (left block) beside " +
            "the receptive-field patch of the image (right block). Receptive fields come from the graph.");
        foreach (var layer in convs.Where((_, j) => j == 0 || j == convs.Count / 2 || j == convs.Count - 1).Distinct())
        {
            string png = $"topk-{layer}.png";
            int maps = Math.Min(16, spec.Shapes()[spec.IndexOf(layer) + 1].C);
            RunVerb(new Cli.TopKVerb(), writer, b, m, ["topk", .. common, "--layer", layer, "--dataset", "fashion-mnist", "--channels", string.Join(',', Enumerable.Range(0, maps)),
                .. topkLimit > 0 ? new[] { "--limit", topkLimit.ToString(), "--k", Math.Min(9, topkLimit).ToString() } : [], "--out", Path.Combine(dir, png)]);
            page.Figure(png, $"{layer}: feature maps 0–{maps - 1}");
            made.Add(png);
        }
        {
            string mid = convs[convs.Count / 2], png = $"topk-direction-{mid}-1.png";
            RunVerb(new Cli.TopKVerb(), writer, b, m, ["topk", .. common, "--direction", $"{mid}:1", "--dataset", "fashion-mnist",
                .. topkLimit > 0 ? new[] { "--limit", topkLimit.ToString(), "--k", Math.Min(9, topkLimit).ToString() } : [], "--out", Path.Combine(dir, png)]);
            page.Figure(png, $"{mid}: a random direction (Szegedy et al. 2014, seed 1; top row, framed) beside the 4 units it weighs most — directions are as interpretable as units");
            made.Add(png);
        }

        page.Section("Saliency", "Gradient of the top class score w.r.t. the input (Simonyan et al.), guided backprop, and SmoothGrad (25 noisy copies, σ = 15 % of the range), " +
            "shown the ways Captum's visualize_image_attr does: heat map, blended heat map, masked image, alpha scaling.");
        figs.Clear();
        foreach (var method in new[] { "gradient", "guided", "smoothgrad" })
            for (int i = 0; i < picks.Length; i++)
            {
                string png = $"saliency-{method}-test-{picks[i]}.png";
                RunVerb(new SaliencyVerb(), writer, b, m, ["saliency", .. common, "--input", files[i], "--method", method, "--display", "all", "--out", Path.Combine(dir, png)]);
                figs.Add((png, $"{Name(i)}: {method}"));
                made.Add(png);
            }
        page.Figures(figs, 480);

        page.Section("Occlusion sensitivity (Zeiler & Fergus §4.2)", "An 8×8 grey square slid at stride 2: input | P(top class) | total activation of the strongest " +
            $"feature map of {RawConv.Algorithms.Seeing.Occlusion.DefaultLayer(spec)} | most probable label per position.");
        figs.Clear();
        for (int i = 0; i < picks.Length; i++)
        {
            string png = $"occlusion-test-{picks[i]}.png";
            RunVerb(new OcclusionVerb(), writer, b, m, ["occlusion", .. common, "--input", files[i], "--size", "8", "--stride", "2", "--out", Path.Combine(dir, png)]);
            figs.Add((png, Name(i)));
            made.Add(png);
        }
        page.Figures(figs, 480);

        page.Section("Invariance (Zeiler & Fergus §4.1, Fig. 5)", "Euclidean distance between the feature vectors of the original and the transformed image " +
            "at a low and a high layer, and P(true class), under vertical translation, scaling and rotation; one line per image (CSV and SVG beside the PNG).");
        RunVerb(new InvarianceVerb(), writer, b, m, ["invariance", .. common, "--input", Path.Combine(inputs, "all.npy"), "--transform", "all", "--axis", "y",
            "--class", string.Join(',', picks.Select(test.Label)), "--out", Path.Combine(dir, "invariance")]);
        page.Figure("invariance.png", "translate / scale / rotate; " + string.Join(", ", picks.Select((_, i) => Name(i))));
        made.Add("invariance.png");

        var checkpoints = new[] { "default-epoch1.h5", "default-epoch3.h5" }.Select(f => Path.Combine(Path.GetDirectoryName(m.Source) ?? ".", f)).Where(File.Exists).ToList();
        if (checkpoints.Count > 0)
        {
            var units = new[] { $"{convs[0]}:0", $"{convs[0]}:5", $"{low}:3", $"{convs[convs.Count / 2]}:10", $"{high}:7" };
            RunVerb(new EvolutionVerb(), writer, b, m, ["evolution", .. common.Skip(2), "--checkpoints", .. checkpoints, m.Source, "--units", string.Join(',', units),
                "--limit", (topkLimit > 0 ? Math.Min(topkLimit, 2000) : 2000).ToString(), "--out", Path.Combine(dir, "evolution.png")]);
            page.Section("Feature evolution during training", "The strongest projection of a few units (rows) over 2,000 test images, at the shipped checkpoints " +
                "(columns: after epoch 1, after epoch 3, the final model).").Figure("evolution.png", string.Join(", ", units));
            made.Add("evolution.png");
        }
        page.Section("Class models (optimizing the input)", "For each class, the input the model scores highest for it, found by gradient ascent from a " +
            "seeded dark start (`rawconv maximize` with its defaults: L2 and total-variation penalties, jitter, blur every 4 steps, clipping to the pixel range). " +
            "The caption gives P(class) of the picture.");
        figs.Clear();
        int classes = m.Classes?.Count ?? 0;
        var curves = new Chart { Title = "Class models: objective per step", XLabel = "step", YLabel = "score − penalties", Width = 640, Height = 400 };
        for (int k = 0; k < Math.Min(classes, 10); k++)
        {
            string png = $"maximize-class-{k}.png";
            var rendered = RunVerb(new MaximizeVerb(), writer, b, m, ["maximize", .. common, "--target", $"class:{k}", .. Budget("--iterations", "40"), "--out", Path.Combine(dir, png)]);
            var j = Payload(rendered);
            figs.Add((png, $"{m.Classes![k]}: P = {Number(j, "targetProbability"):F3}"));
            var history = j.GetProperty("history").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToArray();
            if (history.Any(double.IsFinite)) curves.Add(m.Classes![k], Enumerable.Range(1, history.Length).Select(i => (double)i).ToArray(), history);
            made.Add(png);
        }
        page.Figures(figs, 160);
        if (curves.Series.Count > 0)
        {
            writer.Stage(new TextFile(Path.Combine(dir, "maximize-history.svg"), ChartRow.ToSvg([curves])));
            writer.Stage(new PngFile(Path.Combine(dir, "maximize-history.png"), ChartRow.ToImage([curves]),
                new { model = m.Source, series = curves.Series.Select(c => c.Name).ToArray(), source = "the history field of each class model's sidecar" }));
            page.Figure("maximize-history.png", "The objective before each step of the class models above (SVG beside the PNG).", 640);
            made.Add("maximize-history.png");
        }

        var presetClasses = new[] { 1, 7, 8 }.Where(k => k < classes).ToArray();
        if (presetClasses.Length > 0)
        {
            page.Section("Class models under the published presets", "The same classes under `rawconv maximize --preset simonyan | yosinski | lucid` " +
                "(rows, after the default's): Simonyan et al.'s plain L2-regularized ascent, Yosinski et al.'s decay and blur with their step converted " +
                "from Caffe's 0–255 units (it barely moves this network's input), and Lucid's Adam on a decorrelated Fourier spectrum with jitter, " +
                "scale and rotation. The caption gives P(class).");
            figs.Clear();
            foreach (int k in presetClasses) figs.Add(($"maximize-class-{k}.png", $"default: {m.Classes![k]}"));
            foreach (var preset in new[] { "simonyan", "yosinski", "lucid" })
                foreach (int k in presetClasses)
                {
                    string png = $"maximize-{preset}-class-{k}.png";
                    var rendered = RunVerb(new MaximizeVerb(), writer, b, m, ["maximize", .. common, "--target", $"class:{k}", "--preset", preset,
                        .. Budget("--iterations", "40"), "--out", Path.Combine(dir, png)]);
                    double p = Number(Payload(rendered), "targetProbability");
                    figs.Add((png, $"{preset}: {m.Classes![k]}, P = {p:F3}"));
                    made.Add(png);
                }
            page.Figures(figs, 160);
        }

        string unitLayer = spec.Roles.Rectified(convs[convs.Count / 2]);
        int unitMaps = spec.Shapes(spec.InputShape(1), unitLayer)[^1][1];
        page.Section("Feature maps (optimizing the input)", $"The input that most raises the mean of each of the first feature maps of {unitLayer} " +
            "(`rawconv maximize --target channel:LAYER:C --lr 20 --l2 0.0005 --tv 0.0005`: a channel mean's gradient is about 1/(H·W) of a class score's, " +
            "so the step is larger and the penalties weaker than the class models').");
        figs.Clear();
        for (int ch = 0; ch < Math.Min(8, unitMaps); ch++)
        {
            string png = $"maximize-{unitLayer}-{ch}.png";
            RunVerb(new MaximizeVerb(), writer, b, m, ["maximize", .. common, "--target", $"channel:{unitLayer}:{ch}", "--lr", "20", "--l2", "0.0005", "--tv", "0.0005",
                .. Budget("--iterations", "40"), "--out", Path.Combine(dir, png)]);
            figs.Add((png, $"{unitLayer}:{ch}"));
            made.Add(png);
        }
        page.Figures(figs, 160);

        page.Section("Inverting the representation (Mahendran and Vedaldi)", "The picture each layer's code describes: gradient descent (Adam) from seeded noise " +
            "until the layer's code matches the original's, under α-norm (α = 6) and total-variation priors (`rawconv invert` with its defaults). " +
            "Low layers keep the picture; the fully connected layers keep what the class needs.");
        figs.Clear();
        var invertRows = new List<IReadOnlyList<string>>();
        var invertLayers = convs.Select(c => spec.Roles.Rectified(c)).Append(spec.Roles.Penultimate).Append(spec.Roles.Logits).Distinct().ToList();
        foreach (var layer in invertLayers)
        {
            string png = $"invert-{layer}.png";
            var rendered = RunVerb(new InvertVerb(), writer, b, m, ["invert", .. common, "--input", files[0], "--layer", layer, .. Budget("--iterations", "30"), "--out", Path.Combine(dir, png)]);
            double err = Number(Payload(rendered), "normalizedError");
            figs.Add((png, $"{layer}: error {err:F3}"));
            invertRows.Add([layer, err.ToString("F4")]);
            made.Add(png);
        }
        page.Figures(figs, 320);
        page.Table(["layer", "normalized reconstruction error ‖Φ(x*) − Φ(x₀)‖ / ‖Φ(x₀)‖"], invertRows);

        page.Section("DeepDream", "The dog photo in grey at 160 pixels wide, dreamed at the rectified middle and last convolutions " +
            "(`rawconv dream` with the notebook's settings: 4 octaves, jitter 32, normalized steps); the network runs fully convolutionally on the larger picture.");
        figs.Clear();
        const string photo = "/usr/share/darknet/data/dog.jpg";
        if (File.Exists(photo))
        {
            foreach (var layer in new[] { spec.Roles.Rectified(convs[convs.Count / 2]), spec.Roles.ConvFeatures })
            {
                string png = $"dream-{layer}.png";
                RunVerb(new DreamVerb(), writer, b, m, ["dream", .. common, "--image", photo, "--size", "160", "--layer", layer, .. Budget("--octaves", "2", "--iterations", "3"), "--out", Path.Combine(dir, png)]);
                figs.Add((png, layer));
                made.Add(png);
            }
            page.Figures(figs, 320);
        }

        page.Section("Adversarial examples", "Targeted PGD (ε = 24 grey levels): original | perturbation, magnified (grey is zero) | adversarial input, " +
            "which the model now gives the target class.");
        figs.Clear();
        for (int i = 0; i < picks.Length; i++)
        {
            string png = $"adversarial-test-{picks[i]}.png";
            int targetClass = (test.Label(picks[i]) + 3) % Math.Max(2, classes);
            var rendered = RunVerb(new AdversarialVerb(), writer, b, m, ["adversarial", .. common, "--input", files[i], "--target", targetClass.ToString(),
                .. Budget("--steps", "4"), "--out", Path.Combine(dir, png)]);
            var j = Payload(rendered);
            figs.Add((png, $"{Name(i)} → {j.GetProperty("labelName").GetString()} (P = {Number(j, "probability"):F2}), ‖r‖₂ = {Number(j, "l2"):F2}"));
            made.Add(png);
        }
        page.Figures(figs, 480);

        string foolGenerations = quick ? "30" : "300";
        page.Section("Fooling images (Nguyen et al.)", "Pictures evolved to be given a class with high confidence although they look like nothing of the kind: " +
            $"MAP-Elites over the classes with the CPPN encoding, {foolGenerations} generations of 64 mutants (`rawconv fool --encoding cppn --generations {foolGenerations} --seed 1`), one " +
            "picture per class in class order.");
        {
            const string png = "fool-cppn.png";
            var rendered = RunVerb(new FoolVerb(), writer, b, m, ["fool", .. common, "--encoding", "cppn", "--generations", foolGenerations, "--seed", "1", "--out", Path.Combine(dir, png)]);
            var j = Payload(rendered);
            page.Figure(png, $"{j.GetProperty("fooled").GetInt32()} of {j.GetProperty("images").GetArrayLength()} classes at ≥ 99 % after {j.GetProperty("evaluations").GetInt32()} evaluations", 800);
            page.Table(["class", "P(class)", "found in generation"], j.GetProperty("images").EnumerateArray().Select(i => (IReadOnlyList<string>)
                [i.GetProperty("label").GetString()!, Number(i, "probability").ToString("F4"), i.GetProperty("generation").GetInt32().ToString()]));
            made.Add(png);
        }
        ReportDgn(writer, page, summary, b, m, common, dir, Path.Combine(inputs, "all.npy"), picks.Select((_, i) => Name(i)).ToArray(), quick, made);
        ReportTexture(writer, page, summary, b, device, dir, quick, made);
        summary["visualizations"] = made;
    }

    /// <summary>A verb's --json payload as JSON, non-finite numbers written as null (as its sidecar has them).</summary>
    private static JsonElement Payload(Rendered r) => JsonDocument.Parse(SafeJson.Serialize(r.Json)).RootElement;

    /// <summary>A number field of a payload, NaN where it is null (a non-finite value) or absent.</summary>
    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    /// <summary>
    /// Makes one picture the way `rawconv <paramref name="parent"/> <paramref name="args"/>` would (a subcommand names its parent command) — the verb reads its settings from
    /// <paramref name="args"/>, computes on the report's open model and renders — staging the files in
    /// <paramref name="writer"/> with sidecars that name that command.
    /// </summary>
    private static Rendered RunVerb<TSettings, TResult>(Verb<TSettings, TResult> verb, OutputWriter writer, IBackend b, LoadedModel m, string[] args,
        string[]? parent = null)
    {
        var (common, settings) = verb.Parse(args);
        using var session = Session.Borrow(b, m, common);
        return verb.Run(session, settings, writer.WithCommand(OutputWriter.Join([.. parent ?? [], .. args])));
    }
}
