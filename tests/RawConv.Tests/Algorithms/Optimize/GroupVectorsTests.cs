using RawConv.Algorithms.Optimize;
using RawConv.Tests.TestUtil;

namespace RawConv.Tests.Algorithms.Optimize;

/// <summary>The flat view of several groups against host loops over their concatenation, on each backend.</summary>
public abstract class GroupVectorsTests : BackendTest
{
    [SkippableFact]
    public void DotAndAxpyOverGroupsMatchTheConcatenatedVector()
    {
        float[] a0 = Rand.Uniform(1, 7 * 9), a1 = Rand.Uniform(2, 13), b0 = Rand.Uniform(3, 7 * 9), b1 = Rand.Uniform(4, 13);
        using var ta0 = Tensor.FromArray(B, new Shape(1, 7, 9), a0);
        using var ta1 = Tensor.FromArray(B, new Shape(13), a1);
        using var tb0 = Tensor.FromArray(B, new Shape(1, 7, 9), b0);
        using var tb1 = Tensor.FromArray(B, new Shape(13), b1);
        Tensor[] a = [ta0, ta1], b = [tb0, tb1];
        Assert.Equal(7 * 9 + 13, GroupVectors.Count(a));

        double expected = a0.Concat(a1).Zip(b0.Concat(b1), (x, y) => (double)x * y).Sum();
        Check.Close([GroupVectors.Dot(a, b)], [expected], 1e-5, 1e-5, "dot over groups");

        var copies = GroupVectors.Clone(b);
        GroupVectors.Axpy(-0.25f, a, copies);
        Check.Close(copies[0].ToArray(), b0.Zip(a0, (y, x) => y - 0.25f * x).ToArray(), 1e-6, 1e-6, "axpy group 0");
        Check.Close(copies[1].ToArray(), b1.Zip(a1, (y, x) => y - 0.25f * x).ToArray(), 1e-6, 1e-6, "axpy group 1");
        Check.Close(tb0.ToArray(), b0, 0, 0, "clone left the original alone");
        foreach (var c in copies) c.Dispose();

        using var sgd = new Sgd([ParameterGroup.For(ta0, "image"), ParameterGroup.For(ta1, "code")], new SgdOptions());
        Assert.Equal(a, sgd.Values());
        Assert.Throws<RawConvException>(() => GroupVectors.Dot(a, [tb0]));
    }
}

public sealed class GroupVectorsReferenceTests : GroupVectorsTests { protected override string BackendName => "reference"; }
public sealed class GroupVectorsOpenClTests : GroupVectorsTests { protected override string BackendName => "opencl"; }
public sealed class GroupVectorsCudaTests : GroupVectorsTests { protected override string BackendName => "cuda"; }
