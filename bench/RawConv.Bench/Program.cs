// Side-by-side modes against a PyTorch peer in the same run (bench/RESULTS.md keeps their tables):
//   compare   bvlc_alexnet's convolutions, forward and backward (--batch 1,16 --reps 5 --backward)
//   classify  bvlc_alexnet end to end (--batch 1,16 --reps 5)
//   seeing    projections, occlusion, top-9 scan (--reps 5)
//   optimize  class model, DeepDream and inversion loops (--reps 3 --iters 10)
//   dgn       generator training steps at batch 64 and DGN-AM iterations at 5 starts (--reps 5 --steps 5 --iters 20)
//   style     seconds per L-BFGS iteration of style transfer on a random VGG-19 to relu5_1 (--sizes 256,512 --reps 3 --iters 5)
// Any other arguments go to BenchmarkDotNet (e.g. --filter '*Conv2dBench*').
using BenchmarkDotNet.Running;
using RawConv.Bench;

if (args.Length > 0 && args[0] == "compare") return Compare.Run(args[1..]);
if (args.Length > 0 && args[0] == "classify") return ClassifyCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "seeing") return SeeingCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "optimize") return OptimizeCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "dgn") return DgnCompare.Run(args[1..]);
if (args.Length > 0 && args[0] == "style") return StyleCompare.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Compare).Assembly).Run(args);
return 0;
