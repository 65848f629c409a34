using System.CommandLine;
using System.Text.RegularExpressions;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;

namespace RawConv.Cli;

internal static partial class Verbs
{
    public static Command Evolution()
    {
        var device = DeviceOption(); var json = JsonOption();
        var checkpoints = new Option<string[]>("--checkpoints") { Description = "weights files of one architecture, in training order (e.g. model-epoch1.h5 model-epoch5.h5 model.h5)", Required = true, AllowMultipleArgumentsPerToken = true };
        var units = new Option<string>("--units") { Description = "feature maps as layer:channel, comma-separated, e.g. conv1:3,conv5:7", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist (its test split; default), fashion-mnist:train, or a folder with one sub-folder per class", DefaultValueFactory = _ => "fashion-mnist" };
        var limit = new Option<int>("--limit") { Description = "images scanned per checkpoint (0: all)", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "images per forward pass", DefaultValueFactory = _ => 64 };
        var rule = new Option<string>("--rule") { Description = "deconvnet (default) | gradient | guided", DefaultValueFactory = _ => "deconvnet" };
        var output = new Option<string>("--out") { Description = "grid .png (+ .json beside it) or .npy (the projections, (units × checkpoints, C, H, W) float32)", Required = true };
        var cmd = new Command("evolution", "Feature evolution during training: each unit's strongest projection at each checkpoint, as one grid (rows = units, columns = checkpoints).")
            { device, checkpoints, units, dataset, limit, batch, rule, output, json };
        cmd.SetAction(p =>
        {
            var files = p.GetValue(checkpoints) ?? [];
            if (files.Length == 0) throw new RawConvException("evolution: give --checkpoints a.h5 b.h5 ...");
            using var b = Open(p.GetValue(device));
            // Every checkpoint is read once by Models.Load (checked in a child process) before the algorithm loads it in place.
            for (int i = 1; i < files.Length; i++) Models.Load(files[i], null, null, b).Dispose();
            using var m = Models.Load(files[0], null, null, b);
            var unitList = UnitRef.ParseList(p.GetValue(units)!);
            var data = new ModelInputDataset(Dataset(p.GetValue(dataset)!, "test", m.Net.Spec), m.Preprocessing);
            var options = new EvolutionOptions(p.GetValue(limit), p.GetValue(batch), TopKRule(p.GetValue(rule)!));
            EvolutionResult r = null!;
            Progress.Run("evolution", files.Length, step =>
            {
                int last = 0;
                r = RawConv.Algorithms.Seeing.Evolution.Run(m.Net, files, unitList, data, m.Preprocessing, options, (done, _) => { step(done - last); last = done; });
            });
            string outPath = p.GetValue(output)!;
            var payload = new
            {
                device = b.Info.Name, dataset = p.GetValue(dataset), limit = options.Limit, rule = options.Rule.ToString(),
                units = unitList.Select(u => u.ToString()),
                checkpoints = files.Select(f => new { file = f, epoch = EvolutionEpoch(f) }),
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
            if (Outputs.IsNpy(outPath))
            {
                var s = m.Net.Spec;
                var all = r.Cells.Cast<EvolutionCell>().SelectMany(c => c.Projection).ToArray();
                Outputs.EnsureFolder(outPath);
                RawConv.Imaging.Npy.Write(outPath, [unitList.Count * files.Length, s.InputChannels, s.InputHeight, s.InputWidth], all);
                Outputs.Sidecar(outPath, payload);
            }
            else Outputs.Png(outPath, r.Image, payload);
            Print(p.GetValue(json), new { output = outPath, rows = unitList.Count, columns = files.Length },
                () => Console.WriteLine($"wrote {outPath}: {unitList.Count} units × {files.Length} checkpoints"));
            return 0;
        });
        return cmd;
    }

    /// <summary>The epoch in a checkpoint's file name (…epoch12.h5 → 12), else null.</summary>
    private static int? EvolutionEpoch(string file) =>
        Regex.Match(Path.GetFileNameWithoutExtension(file), @"epoch[-_]?(\d+)", RegexOptions.IgnoreCase) is { Success: true } mt ? int.Parse(mt.Groups[1].Value) : null;
}
