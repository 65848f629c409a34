using RawConv.Algorithms;
using RawConv.Algorithms.Data;
using RawConv.Algorithms.Seeing;
using RawConv.Graph;
using RawConv.Graph.Weights;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Seeing;

/// <summary>Feature evolution over two checkpoint files (two differently seeded random nets): grid size, and every cell equals a brute-force search plus Deconvnet.Project.</summary>
public class EvolutionTests
{
    [Fact]
    public void EachCellIsTheStrongestProjectionAtThatCheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("rawconv-evolution-");
        try
        {
            var b = Backends.Reference;
            var files = new[] { 21, 22 }.Select(seed =>
            {
                using var n = TopKTestData.Net(b, seed);
                var path = Path.Combine(dir.FullName, $"m-epoch{seed - 20}.h5");
                WeightsFile.Save(n, path);
                return path;
            }).ToArray();
            var data = new TopKTestData(40, 32, 6);
            var units = UnitRef.ParseList("conv1:2, conv3:5,fc6:7");
            Assert.Equal(new UnitRef("conv3", 5), units[1]);
            var nets = files.Select(f => WeightsFile.Load(f, b)).ToArray();
            var before = nets.Select(n => Weights(n.Net)).ToArray();
            EvolutionResult r;
            try
            {
                r = Evolution.Run(nets.Select(n => n.Net).ToArray(), units, data, TopKTestData.Unit(32), new EvolutionOptions(BatchSize: 16), names: files);
                for (int k = 0; k < nets.Length; k++)
                    Assert.Equal(before[k], Weights(nets[k].Net));   // the caller's nets are left as they were
            }
            finally
            {
                foreach (var n in nets) n.Dispose();
            }
            Assert.Equal(files, r.Checkpoints);
            Assert.Equal((3, 2), (r.Cells.GetLength(0), r.Cells.GetLength(1)));
            // conv1's field is 5 px, upscaled 48/5 = 9× to 45; conv3's (49) and fc6's cover the whole 32-px input.
            Assert.Equal((45, 45), (r.Cells[0, 0].Picture.Width * 9, r.Cells[0, 0].Picture.Height * 9));
            Assert.Equal((32, 32), (r.Cells[1, 1].Picture.Width, r.Cells[2, 0].Picture.Height));
            Assert.Equal((2 * 45 + 3 * 2, 3 * 45 + 4 * 2), (r.Image.Width, r.Image.Height));

            using var x = data.Get(b, Enumerable.Range(0, data.Count).ToArray()).X;
            for (int k = 0; k < files.Length; k++)
            {
                using var loaded = WeightsFile.Load(files[k], b);
                using var pass = loaded.Net.Forward(x, "fc6");
                for (int row = 0; row < units.Count; row++)
                {
                    var u = units[row];
                    var a = pass[u.Layer];
                    var (c, h, w) = NetQueries.Dims(a.Shape);
                    var v = a.ToArray();
                    // Brute force: the largest activation of the map over all images and positions, first in (image, y, x) order.
                    int best = -1, bestImg = 0;
                    for (int n = 0; n < data.Count; n++)
                        for (int p = 0; p < h * w; p++)
                        {
                            int at = (n * c + u.Channel) * h * w + p;
                            if (best < 0 || v[at] > v[(bestImg * c + u.Channel) * h * w + best]) (best, bestImg) = (p, n);
                        }
                    var cell = r.Cells[row, k];
                    Assert.Equal((u, k), (cell.Unit, cell.Checkpoint));
                    Assert.Equal((bestImg, best / w, best % w), (cell.Entry.Image, cell.Entry.Y, cell.Entry.X));
                    using var one = data.Get(b, [bestImg]).X;
                    using var proj = Deconvnet.Project(loaded.Net, one, UnitChoice.At(u.Layer, u.Channel, best / w, best % w));
                    Check.Close(cell.Projection, proj.Input.ToArray(), 1e-6, 1e-5, $"{u} at checkpoint {k}");
                }
            }
            Assert.NotEqual(r.Cells[1, 0].Projection, r.Cells[1, 1].Projection);
        }
        finally { dir.Delete(true); }
    }

    private static float[][] Weights(Net net) => net.Parameters.OrderBy(kv => kv.Key).Select(kv => kv.Value.Weight.ToArray()).ToArray();

    [Fact]
    public void UnitsAreParsedAndCheckedAgainstTheLayer()
    {
        Assert.Equal(new UnitRef("conv5", 7), UnitRef.Parse("conv5:7"));
        Assert.Equal("conv5:7", new UnitRef("conv5", 7).ToString());
        Assert.Contains("layer:channel", Assert.Throws<RawConvException>(() => UnitRef.Parse("conv5")).Message);
        Assert.Throws<RawConvException>(() => UnitRef.Parse("conv5:-1"));
        using var net = TopKTestData.Net(Backends.Reference, 1);
        var e = Assert.Throws<RawConvException>(() => Evolution.Run([net], [new UnitRef("conv2", 16)], new TopKTestData(3, 32, 1), TopKTestData.Unit(32)));
        Assert.Contains("conv2:16 is outside layer 'conv2' with 16 feature maps", e.Message);
    }
}
