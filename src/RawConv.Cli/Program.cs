using System.CommandLine;
using System.Text.Json;
using RawConv;
using RawConv.Ops;

var deviceOption = new Option<string?>("--device") { Description = "cuda | opencl | reference (default: cuda, else opencl, else reference)" };
var jsonOption = new Option<bool>("--json") { Description = "machine-readable output" };

var devices = new Command("devices", "List the backends that answer on this machine, with device name, compute units and memory.")
{
    jsonOption,
};
devices.SetAction(parse =>
{
    bool json = parse.GetValue(jsonOption);
    var rows = new List<Dictionary<string, object?>>();
    foreach (var name in Devices.Names)
    {
        try
        {
            using var b = Devices.Open(name);
            var i = b.Info;
            rows.Add(new() { ["backend"] = name, ["available"] = true, ["name"] = i.Name, ["vendor"] = i.Vendor,
                ["computeUnits"] = i.ComputeUnits, ["globalMemoryBytes"] = i.GlobalMemoryBytes,
                ["maxAllocationBytes"] = i.MaxAllocationBytes, ["localMemoryBytes"] = i.LocalMemoryBytes,
                ["maxWorkGroupSize"] = i.MaxWorkGroupSize, ["version"] = i.Version });
            if (!json) Console.WriteLine(i);
        }
        catch (RawConvException e)
        {
            rows.Add(new() { ["backend"] = name, ["available"] = false, ["reason"] = e.Message });
            if (!json) Console.WriteLine($"{name}: unavailable — {e.Message}");
        }
    }
    if (json) Console.WriteLine(JsonSerializer.Serialize(new { devices = rows }, new JsonSerializerOptions { WriteIndented = true }));
    return 0;
});

var root = new RootCommand("rawconv — a from-scratch GPU engine for opening up convolutional networks") { devices };
root.Options.Add(deviceOption);
try
{
    return root.Parse(args).Invoke();
}
catch (RawConvException e)
{
    Console.Error.WriteLine($"rawconv: {e.Message}");
    return 1;
}
