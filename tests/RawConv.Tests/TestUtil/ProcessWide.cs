namespace RawConv.Tests.TestUtil;

/// <summary>
/// The classes whose tests flip a process-wide setting (a public static, an environment variable) that other
/// tests read. xunit runs a collection with parallelization disabled on its own, after the parallel ones, so no
/// other test sees the flipped value.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    /// <summary>The collection's name, for <c>[Collection(ProcessWideCollection.Name)]</c>.</summary>
    public const string Name = "process-wide settings";
}
