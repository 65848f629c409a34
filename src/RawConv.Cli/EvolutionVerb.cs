using System.CommandLine;
using RawConv.Algorithms.Seeing;
using RawConv.Ops;

namespace RawConv.Cli;

/// <summary>`evolution`'s settings: checkpoint files, units, dataset as typed, options and the output path.</summary>
internal sealed record EvolutionSettings(string[] Checkpoints, IReadOnlyList<UnitRef> Units, string Dataset, EvolutionOptions Options, string Out);

/// <summary>The grid and the input shape of the checkpoints' architecture.</summary>
internal sealed record EvolutionRun(EvolutionResult Result, Shape Input);

/// <summary>`rawconv evolution`: each unit's strongest projection at each training checkpoint, as one grid.</summary>
internal sealed class EvolutionVerb : Verb<EvolutionSettings, EvolutionRun>
{
    private readonly Option<string[]> checkpoints = new("--checkpoints") { Description = "weights files of one architecture, in training order (e.g. model-epoch1.h5 model-epoch5.h5 model.h5)", Required = true, AllowMultipleArgumentsPerToken = true };
    private readonly Option<string> units = new("--units") { Description = "feature maps as layer:channel, comma-separated, e.g. conv1:3,conv5:7", Required = true };
    private readonly Option<string> dataset = new("--dataset") { Description = "fashion-mnist (its test split; default), fashion-mnist:train, or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
    private readonly Option<int> limit = new("--limit") { Description = "images scanned per checkpoint (0: all)", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> batch = new("--batch") { Description = "images per forward pass", DefaultValueFactory = _ => 64 };
    private readonly Option<string> rule = new("--rule") { Description = "deconvnet (default) | gradient | guided", DefaultValueFactory = _ => "deconvnet" };
    private readonly Option<string> output = new("--out") { Description = "grid .png (+ .json beside it) or .npy (the projections, (units × checkpoints, C, H, W) float32, + .json)", Required = true };

    protected override Command Build()
    {
        var cmd = new Command("evolution", "Feature evolution during training: each unit's strongest projection at each checkpoint, as one grid (rows = units, columns = checkpoints).");
        Common.Add(cmd, Common.Device);
        Common.Add(cmd, checkpoints, units, dataset, limit, batch, rule, output, Common.Json);
        return cmd;
    }

    public override EvolutionSettings Read(ParseResult p)
    {
        var files = p.GetValue(checkpoints) ?? [];
        if (files.Length == 0) throw new RawConvException("evolution: give --checkpoints a.h5 b.h5 ...");
        foreach (var f in files)
            if (!File.Exists(f)) throw new RawConvException($"--checkpoints: {f}: no such file — give weights files (.h5) of one architecture");
        return new EvolutionSettings(files, UnitRef.ParseList(p.GetValue(units)!), p.GetValue(dataset)!,
            new EvolutionOptions(Checks.Int(p.GetValue(limit), "--limit", 0, int.MaxValue, "0 scans all"), Checks.Int(p.GetValue(batch), "--batch", 1, int.MaxValue, "images per forward pass"),
                Verbs.TopKRule(p.GetValue(rule)!)), Checks.OutFile(p.GetValue(output)!, ".png", ".npy"));
    }

    public override EvolutionRun Compute(Session session, EvolutionSettings s)
    {
        // Every checkpoint goes through Models.Load (checked in a child process first); the algorithm only reads them.
        var models = new List<LoadedModel>();
        try
        {
            foreach (var f in s.Checkpoints) models.Add(Models.Load(f, null, null, session.Backend));
            var first = models[0];
            var data = new Verbs.ModelInputDataset(Verbs.Dataset(s.Dataset, "test", first.Net.Spec), first.Preprocessing);
            if (data.Count == 0) throw new RawConvException($"--dataset: {s.Dataset} holds no images — give a dataset with at least one");
            int scanned = s.Options.Limit > 0 ? Math.Min(s.Options.Limit, data.Count) : data.Count;
            RawConv.Algorithms.BatchMemory.Check(first.Net, Math.Min(s.Options.BatchSize, scanned), "--batch");
            EvolutionResult r = null!;
            Progress.Run("evolution", models.Count, step =>
            {
                int last = 0;
                r = Evolution.Run(models.Select(m => m.Net).ToArray(), s.Units, data, first.Preprocessing, s.Options, (done, _) => { step(done - last); last = done; }, s.Checkpoints);
            });
            return new EvolutionRun(r, first.Net.Spec.InputShape(1));
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    public override Rendered Render(Session session, EvolutionSettings s, EvolutionRun run)
    {
        var (r, files, unitList, options, outPath) = (run.Result, s.Checkpoints, s.Units, s.Options, s.Out);
        var payload = new
        {
            device = session.Backend.Info.Name, dataset = s.Dataset, limit = options.Limit, rule = options.Rule.ToString(),
            units = unitList.Select(u => u.ToString()),
            checkpoints = files.Select(f => new { file = f, epoch = Verbs.EvolutionEpoch(f) }),
            rows = unitList.Count, columns = files.Length, output = outPath,
            cells = Enumerable.Range(0, unitList.Count).Select(row => Enumerable.Range(0, files.Length).Select(col =>
            {
                var c = r.Cells[row, col];
                return new
                {
                    unit = c.Unit.ToString(), checkpoint = col, image = c.Entry.Image, value = c.Entry.Value, y = c.Entry.Y, x = c.Entry.X,
                    box = new[] { c.Box.Y0, c.Box.X0, c.Box.Y1, c.Box.X1 },
                };
            })),
        };
        var sh = run.Input;
        OutputFile file = OutputWriter.IsNpy(outPath)
            ? new NpyFile(outPath, [unitList.Count * files.Length, sh.C, sh.H, sh.W], r.Cells.Cast<EvolutionCell>().SelectMany(c => c.Projection).ToArray(), payload)
            : new PngFile(outPath, r.Image, payload);
        return new Rendered([file], new { output = outPath, rows = unitList.Count, columns = files.Length },
            w => w.WriteLine($"wrote {outPath}: {unitList.Count} units × {files.Length} checkpoints"));
    }
}
