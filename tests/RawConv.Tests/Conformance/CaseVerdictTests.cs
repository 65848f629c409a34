using System.Reflection;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Conformance;

/// <summary>
/// How the runner turns an outcome into a verdict: only <see cref="ConformanceTable.NotApplicable"/> can make a
/// case skip, and an exception thrown by an op always fails it.
/// </summary>
public class CaseVerdictTests
{
    [SkippableFact]
    public void EveryListedCaseIsInstalled()
    {
        Skip.IfNot(CaseRunner.Available, $"{CaseRunner.Root} is not installed");
        var installed = CaseRunner.Cases().ToHashSet();
        var stale = ConformanceTable.NotApplicable.Keys.Where(c => !installed.Contains(c)).ToArray();
        Assert.True(stale.Length == 0, "listed but not installed: " + string.Join(", ", stale));
    }

    [SkippableTheory]
    [InlineData(typeof(NotImplementedException))]
    [InlineData(typeof(NotSupportedException))]
    [InlineData(typeof(NotApplicableException))]
    public void AnExceptionFromAnOpFailsAnUnlistedCase(Type exception)
    {
        const string id = "node/test_relu";
        Skip.IfNot(Directory.Exists(Path.Combine(CaseRunner.Root, id)), "case not installed");
        Assert.False(ConformanceTable.NotApplicable.ContainsKey(id));
        var r = CaseRunner.Run(id, Backends.Reference, ThrowingOps.Create(exception));
        Assert.Equal(CaseStatus.Failed, r.Status);
        Assert.Contains(exception.Name == nameof(NotApplicableException) ? "does not list the case" : exception.Name, r.Detail);
    }

    [SkippableFact]
    public void AListedCaseSkipsWithTheListedReasonWithoutCallingAnOp()
    {
        const string id = "pytorch-converted/test_Conv3d";
        Skip.IfNot(Directory.Exists(Path.Combine(CaseRunner.Root, id)), "case not installed");
        var r = CaseRunner.Run(id, Backends.Reference, ThrowingOps.Create(typeof(InvalidOperationException)));
        Assert.Equal(CaseStatus.NotApplicable, r.Status);
        Assert.Equal(ConformanceTable.NotApplicable[id], r.Detail);
    }
}

/// <summary>An <see cref="IOnnxOps"/> whose every op throws the given exception type.</summary>
public class ThrowingOps : DispatchProxy
{
    private Type exception = typeof(InvalidOperationException);

    /// <summary>Ops that throw a new <paramref name="exception"/> (it needs a string constructor) on every call.</summary>
    public static IOnnxOps Create(Type exception)
    {
        var ops = DispatchProxy.Create<IOnnxOps, ThrowingOps>();
        ((ThrowingOps)(object)ops).exception = exception;
        return ops;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw (Exception)Activator.CreateInstance(exception, $"{targetMethod?.Name} was called")!;
}
