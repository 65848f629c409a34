using System.Runtime.CompilerServices;
using RawConv.OpenCL;

namespace RawConv.Tests.TestUtil;

/// <summary>
/// Every test run fills OpenCL's uninitialized allocations (op outputs that skip the zero fill) with NaN,
/// here and in the rawconv processes the CLI tests start, so an op that leaves part of an output unwritten
/// fails its comparison instead of passing on a reused buffer's stale contents.
/// </summary>
internal static class Poison
{
    [ModuleInitializer]
    internal static void On()
    {
        OpenClBackend.PoisonUninitialized = true;
        Environment.SetEnvironmentVariable("RAWCONV_POISON_UNINITIALIZED", "1");
    }
}
