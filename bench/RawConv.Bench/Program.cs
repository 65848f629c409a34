using BenchmarkDotNet.Running;
using RawConv.Bench;

if (args.Length > 0 && args[0] == "compare") return Compare.Run(args[1..]);
if (args.Length > 0 && args[0] == "classify") return ClassifyCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "seeing") return SeeingCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "optimize") return OptimizeCompare.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Compare).Assembly).Run(args);
return 0;
