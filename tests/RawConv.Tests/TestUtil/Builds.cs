namespace RawConv.Tests.TestUtil;

/// <summary>
/// The classes whose fixture runs a whole `dotnet publish`: minutes of both cores, which would starve the CLI tests
/// that run under a time limit beside them. xunit runs a collection with parallelization disabled on its own, after
/// the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuildsCollection
{
    /// <summary>The collection's name, for <c>[Collection(BuildsCollection.Name)]</c>.</summary>
    public const string Name = "whole builds";
}
