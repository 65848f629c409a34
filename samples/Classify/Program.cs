// Classifies one picture with a RawConv weights file — the shipped default model or any imported network.
// Usage: dotnet run --project samples/Classify -- MODEL.h5 PICTURE [cuda|opencl|reference]
using RawConv.Algorithms;
using RawConv.Graph.Weights;
using RawConv.Imaging;
using RawConv.Ops;

using var device = Devices.Open(args.Length > 2 ? args[2] : null, Console.Error.WriteLine);
using var model = WeightsFile.Load(args[0], device);
var spec = model.Net.Spec;
using var x = NetInput.FromImages([ImageIO.Load(args[1])], model.Preprocessing!, spec.InputChannels, device);
using var pass = model.Net.Forward(x);
var p = NetQueries.Probabilities(model.Net, pass);
int top = NetQueries.ArgMax(p);
Console.WriteLine($"{model.Classes?[top] ?? $"class {top}"} {p[top]:F4}");
