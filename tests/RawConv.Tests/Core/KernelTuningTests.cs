namespace RawConv.Tests.Core;

public class KernelTuningTests
{
    private static DeviceInfo Device(string name, DeviceClass c) => new("test", name, "vendor", 1, 1L << 30, 1L << 28, 0, 256, "1.0", c);

    [Fact]
    public void CpuDefaultsAreTheOpenClChoices()
    {
        var t = KernelTuning.For(DeviceClass.Cpu);
        Assert.Equal((8, 32, 1, 512, 4, 1L << 25, 16, 8), (t.GemmTileM, t.GemmTileN, t.GemmLocalX, t.GemmKSlice, t.GemvMaxBatch, t.ConvColumnBudget, t.LrnPixels, t.PoolRowBlock));
        Assert.Equal((64, 128, 256), (t.PlaneGroupWidth, t.PlaneGroupArea, t.PlaneGroupSize));
    }

    [Fact]
    public void GpuDefaultsAreTheCudaChoices()
    {
        var t = KernelTuning.For(DeviceClass.Gpu);
        Assert.Equal((8, 32, 32, 512, 0, 1L << 25, 1, 1), (t.GemmTileM, t.GemmTileN, t.GemmLocalX, t.GemmKSlice, t.GemvMaxBatch, t.ConvColumnBudget, t.LrnPixels, t.PoolRowBlock));
        Assert.Equal((64, 128, 256), (t.PlaneGroupWidth, t.PlaneGroupArea, t.PlaneGroupSize));
    }

    [Fact]
    public void FileEntryOverridesTheClassDefaultsOfItsDeviceOnly()
    {
        const string json = """{"GPU A": {"gemmTileM": 4, "gemmKSlice": 1024, "convColumnBudget": 4294967}, "CPU B": {"lrnPixels": 1}}""";
        var a = KernelTuning.Parse(json, "t.json", "GPU A", DeviceClass.Gpu);
        Assert.Equal(KernelTuning.Gpu with { GemmTileM = 4, GemmKSlice = 1024, ConvColumnBudget = 4294967 }, a);
        Assert.Equal(KernelTuning.Cpu with { LrnPixels = 1 }, KernelTuning.Parse(json, "t.json", "CPU B", DeviceClass.Cpu));
        Assert.Equal(KernelTuning.Cpu, KernelTuning.Parse(json, "t.json", "other", DeviceClass.Cpu));
    }

    [Theory]
    [InlineData("""{"dev": {"gemmTileM": 5}}""", "gemmTileM = 5 is not a kernel variant; expected one of 4, 8")]
    [InlineData("""{"dev": {"gemmKslice": 5}}""", "unknown field gemmKslice")]
    [InlineData("""{"dev": {"gemmKSlice": "big"}}""", "field gemmKSlice must be an integer, got \"big\"")]
    [InlineData("""{"dev": {"gemmKSlice": 1.5}}""", "field gemmKSlice must be an integer")]
    [InlineData("""{"dev": {"gemvMaxBatch": 9}}""", "field gemvMaxBatch = 9 is outside [0, 4]")]
    [InlineData("""{"dev": {"planeGroupArea": 32}}""", "field planeGroupArea = 32 is outside [64, 1024]")]
    [InlineData("""{"dev": [1]}""", "must be an object of fields")]
    public void BadEntriesNameTheFileDeviceAndField(string json, string expected)
    {
        var e = Assert.Throws<RawConvException>(() => KernelTuning.Parse(json, "/tmp/tune.json", "dev", DeviceClass.Cpu));
        Assert.StartsWith("tuning file /tmp/tune.json, device \"dev\": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MalformedOrMissingFilesAreNamed()
    {
        var e = Assert.Throws<RawConvException>(() => KernelTuning.Parse("{\"dev\": {\n\"gemmTileM\": }", "x.json", "dev", DeviceClass.Cpu));
        Assert.StartsWith("tuning file x.json: not valid JSON (line 2)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var missing = Path.Combine(Path.GetTempPath(), $"rawconv-no-such-tuning-{Environment.ProcessId}.json");
        e = Assert.Throws<RawConvException>(() => KernelTuning.Load(missing, "dev", DeviceClass.Cpu));
        Assert.StartsWith($"tuning file {missing}: cannot be read", e.Message);
        e = Assert.Throws<RawConvException>(() => KernelTuning.Parse("[]", "x.json", "dev", DeviceClass.Cpu));
        Assert.Contains("must be an object keyed by device name", e.Message);
    }

    [Fact]
    public void ResolvePrefersTheExplicitTuningThenTheFileThenTheClass()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rawconv-tuning-{Environment.ProcessId}.json");
        File.WriteAllText(path, """{"GPU A": {"gemmLocalX": 64}}""");
        try
        {
            var gpu = Device("GPU A", DeviceClass.Gpu);
            Assert.Equal(64, KernelTuning.Resolve(gpu, file: path).GemmLocalX);
            Assert.Equal(KernelTuning.Cpu, KernelTuning.Resolve(Device("CPU", DeviceClass.Cpu), file: path));
            var mine = KernelTuning.Cpu with { GemmKSlice = 7 };
            Assert.Same(mine, KernelTuning.Resolve(gpu, mine, path));
            var e = Assert.Throws<RawConvException>(() => KernelTuning.Resolve(gpu, mine with { LrnPixels = 3 }, path));
            Assert.Contains("lrnPixels = 3", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SavedEntriesLoadBackAndKeepTheOtherDevices()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rawconv-tuning-save-{Environment.ProcessId}.json");
        File.WriteAllText(path, """{"other": {"lrnPixels": 1}}""");
        try
        {
            var mine = KernelTuning.Gpu with { GemmTileM = 4, ConvColumnBudget = 123456789 };
            mine.Save(path, "GPU A");
            Assert.Equal(mine, KernelTuning.Load(path, "GPU A", DeviceClass.Cpu)); // every field written, so the class does not matter
            Assert.Equal(KernelTuning.Cpu with { LrnPixels = 1 }, KernelTuning.Load(path, "other", DeviceClass.Cpu));
            Assert.Contains("\"gemmTileM\": 4", File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EveryFieldIsAFileField()
    {
        Assert.Equal(["convColumnBudget", "gemmKSlice", "gemmLocalX", "gemmTileM", "gemmTileN", "gemvMaxBatch", "lrnPixels",
            "planeGroupArea", "planeGroupSize", "planeGroupWidth", "poolRowBlock"], KernelTuning.FieldNames);
    }
}
