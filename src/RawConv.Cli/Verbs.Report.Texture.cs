namespace RawConv.Cli;

internal static partial class Verbs
{
    /// <summary>Where Debian's python3-skimage keeps its sample images (brick, grass, gravel, astronaut, chelsea, coffee).</summary>
    internal const string SkimageData = "/usr/lib/python3/dist-packages/skimage/data";

    /// <summary>Darknet's copy of Munch's The Scream (Debian's darknet package).</summary>
    internal const string Scream = "/usr/share/darknet/data/scream.jpg";

    /// <summary>
    /// The Gram-matrix section: textures synthesized from skimage's texture photographs and The Scream's style on skimage's
    /// photographs, both on the zoo's random multi-scale network (no trained weights), every setting in the caption. Skipped
    /// with a note when the images are not installed.
    /// </summary>
    private static void ReportTexture(OutputWriter writer, HtmlReport page, Dictionary<string, object> summary, IBackend b, string? device,
        string dir, bool quick, List<string> made)
    {
        // --quick: a network with 4 filters at 3 sizes and 2 steps at 32 px, so the section runs in seconds even on the reference backend.
        string model = quick ? "random-multiscale:0:4:3,5,7" : "random-multiscale";
        string[] textures = ["brick", "grass", "gravel"], photos = ["astronaut", "chelsea", "coffee"];
        string size = quick ? "32" : "96", textureSteps = quick ? "2" : "40", styleSteps = quick ? "2" : "40";
        page.Section("Textures and style transfer (Gatys, Ecker & Bethge)", "Gram matrices at work on the zoo's random multi-scale network " +
            $"(`{model}`: one layer of random filters at several sizes — by default 32 at each of 3×3 to 23×23 — then ReLU; Ustyuzhaninov et al. showed such random " +
            "shallow networks synthesize natural textures, so no trained weights are needed). Textures: `rawconv texture` matches the Gram " +
            $"matrix of the source from seeded noise with L-BFGS ({size}×{size}, {textureSteps} steps). Style: `rawconv style` paints The Scream's " +
            $"Gram statistics over skimage's photographs, starting from the photograph ({size} px on the longer side, {styleSteps} L-BFGS steps, " +
            "the verb's defaults for a one-layer network). Each picture's sidecar holds its exact command.");
        var missing = textures.Concat(photos).Select(n => Path.Combine(SkimageData, n + ".png")).Append(Scream).Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            page.Text($"Skipped: {string.Join(", ", missing)} not found — install python3-skimage and darknet (tools/setup.sh does).");
            return;
        }
        using var net = Models.Load(model, null, null, b);
        string[] common = ["--model", model, .. device is null ? Array.Empty<string>() : ["--device", device]];
        var figs = new List<(string, string)>();
        var rows = new List<object>();
        foreach (var t in textures)
        {
            string png = $"texture-{t}.png";
            var j = Payload(RunVerb(new TextureVerb(), writer, b, net, ["texture", .. common, "--image", Path.Combine(SkimageData, t + ".png"),
                "--size", $"{size},{size}", "--iterations", textureSteps, "--seed", "0", "--out", Path.Combine(dir, png)]));
            double initial = Number(j, "initialLoss"), final = Number(j, "finalLoss");
            figs.Add((png, $"{t}.png, {size}×{size}, {textureSteps} L-BFGS steps, seed 0: Gram loss {initial:G3} → {final:G3} ({initial / final:F0}×), estimated {Number(j, "memoryEstimateBytes") / 1048576:F0} MiB"));
            rows.Add(new { image = t, initialLoss = initial, finalLoss = final });
            made.Add(png);
        }
        page.Figures(figs, 360);
        figs.Clear();
        var styles = new List<object>();
        foreach (var p in photos)
        {
            string png = $"style-{p}.png";
            var j = Payload(RunVerb(new StyleVerb(), writer, b, net, ["style", .. common, "--content", Path.Combine(SkimageData, p + ".png"), "--style", Scream,
                "--size", size, "--init", "content", "--iterations", styleSteps, "--out", Path.Combine(dir, png)]));
            figs.Add((png, $"{p}.png in The Scream's style, {size} px, from the photograph, {styleSteps} L-BFGS steps, α = {Number(j.GetProperty("settings"), "contentWeight"):G3}, " +
                $"β = {Number(j.GetProperty("settings"), "styleWeight"):G3}, γ = {Number(j.GetProperty("settings"), "tvWeight"):G3}: total loss {Number(j.GetProperty("initial"), "total"):G3} → {Number(j, "total"):G3}"));
            styles.Add(new { image = p, contentLoss = Number(j, "contentLoss"), styleLoss = Number(j, "styleLoss"), total = Number(j, "total") });
            made.Add(png);
        }
        page.Figures(figs, 360);
        page.Figure($"style-{photos[0]}-losses.png", "the losses per L-BFGS step of the first style transfer (`style`'s chart)", 480);
        summary["texture"] = new { model, size = int.Parse(size), textureIterations = int.Parse(textureSteps), styleIterations = int.Parse(styleSteps), textures = rows, styles };
    }
}
