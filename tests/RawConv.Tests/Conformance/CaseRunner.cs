using System.Text.RegularExpressions;
using RawConv.Graph.Onnx;

namespace RawConv.Tests.Conformance;

/// <summary>Outcome of one conformance case on one backend.</summary>
public enum CaseStatus { Passed, Failed, NotApplicable }

/// <summary>A case's status and the reason (not applicable) or the first mismatch or exception (failed).</summary>
public sealed record CaseResult(CaseStatus Status, string Detail)
{
    public override string ToString() => Status switch
    {
        CaseStatus.Passed => "passed",
        CaseStatus.NotApplicable => $"n/a: {Detail}",
        _ => $"FAILED: {Detail}",
    };
}

/// <summary>
/// The runner found the case cannot be expressed with RawConv's ops; the message says why (e.g. "3-D input").
/// It only counts when <see cref="ConformanceTable.NotApplicable"/> lists the case with the same reason.
/// </summary>
public sealed class NotApplicableException(string reason) : Exception(reason);

/// <summary>A value flowing between nodes, kept on the host: dims plus float or integer data.</summary>
public sealed class HostValue(long[] dims, OnnxDataType type, float[]? floats, long[]? ints)
{
    public long[] Dims { get; } = dims;
    public OnnxDataType Type { get; } = type;
    public float[]? Floats { get; } = floats;
    public long[]? Ints { get; } = ints;
    public long Count => Dims.Aggregate(1L, (a, b) => a * b);
    public int Rank => Dims.Length;

    public int[] IntDims() => Dims.Select(d => checked((int)d)).ToArray();

    /// <summary>The float data; an integer tensor here makes the case not applicable (a uint8 input).</summary>
    public float[] F => Floats ?? throw new NotApplicableException($"{Type.ToString().ToLowerInvariant()} input (RawConv's tensors are float32)");
    /// <summary>The integer data.</summary>
    public long[] I => Ints ?? throw new NotApplicableException($"{Type.ToString().ToLowerInvariant()} where an integer tensor is needed");

    public static HostValue Float(long[] dims, float[] data) => new(dims, OnnxDataType.Float, data, null);
    public static HostValue Int64(long[] dims, long[] data) => new(dims, OnnxDataType.Int64, null, data);

    public static HostValue From(OnnxTensor t) => t.IsReal
        ? new HostValue(t.Dims, t.DataType, t.ToFloats(), null)
        : new HostValue(t.Dims, t.DataType, null, t.ToInt64s());

    public static HostValue From(Tensor t) => t.DType == DType.Float32
        ? Float(t.Shape.Dims.Select(d => (long)d).ToArray(), t.ToArray())
        : new HostValue(t.Shape.Dims.Select(d => (long)d).ToArray(), OnnxDataType.Int32, null, t.ToIntArray().Select(v => (long)v).ToArray());
}

/// <summary>
/// Runs one official ONNX backend-test case (model.onnx + test_data_set_*/input_K.pb, output_K.pb) on RawConv
/// ops: shape glue (Reshape, Flatten, Transpose, Constant, Identity) on the host, every computing node through
/// <see cref="IOnnxOps"/>, then compares every output with output_K.pb.
/// </summary>
public static partial class CaseRunner
{
    /// <summary>Where Debian's libonnx-testdata installs the cases.</summary>
    public const string Root = "/usr/share/libonnx-testdata/data";
    /// <summary>The three case folders that hold single-op and small-graph cases.</summary>
    public static readonly string[] Folders = ["node", "pytorch-converted", "pytorch-operator"];

    // ONNX's backend tests use rtol 1e-3, atol 1e-7. atol 1e-7 is below float32 rounding of results that
    // sum many terms near zero (our reductions run in a different order), so atol is 1e-5 as in STYLE.md.
    public const double Atol = 1e-5, Rtol = 1e-3;

    private static readonly Regex Family = new(
        "^test_(basic_conv_|conv_with_|convtranspose|maxpool|maxunpool|averagepool|globalaveragepool|globalmaxpool|lrn|gemm_|relu$"
        + "|softmax|logsoftmax|log_softmax|dropout|training_dropout|gridsample"
        + "|Conv[123]d|ConvTranspose|MaxPool|AvgPool|Linear|Softmax|LogSoftmax|ReLU$"
        + "|operator_(conv|convtranspose|maxpool|addmm|mm)$)");

    /// <summary>True when the data folder is installed.</summary>
    public static bool Available => Directory.Exists(Root);

    /// <summary>Every case ("folder/test_name") of the op families RawConv covers, sorted.</summary>
    public static IReadOnlyList<string> Cases()
    {
        var list = new List<string>();
        foreach (var folder in Folders)
        {
            var dir = Path.Combine(Root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var d in Directory.GetDirectories(dir))
            {
                var name = Path.GetFileName(d);
                if (Family.IsMatch(name) && File.Exists(Path.Combine(d, "model.onnx"))) list.Add(folder + "/" + name);
            }
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>The operator types of the case's graph, for the table.</summary>
    public static string OpTypes(string caseId)
    {
        try { return string.Join(", ", OnnxModel.Load(Path.Combine(Root, caseId, "model.onnx")).Graph.Nodes.Select(n => n.OpType).Distinct()); }
        catch (RawConvException e) { return "unreadable: " + e.Message; }
    }

    /// <summary>
    /// Runs every test data set of the case on <paramref name="backend"/>. The case is not applicable only when
    /// <see cref="ConformanceTable.NotApplicable"/> lists it and the runner reaches the listed reason; any other
    /// outcome of a listed case, a runner's "not applicable" for an unlisted one, and anything thrown are failures.
    /// </summary>
    public static CaseResult Run(string caseId, IBackend backend, IOnnxOps ops)
    {
        var found = RunUnchecked(caseId, backend, ops);
        bool listed = ConformanceTable.NotApplicable.TryGetValue(caseId, out var reason);
        if (found.Status == CaseStatus.NotApplicable)
            return !listed ? new CaseResult(CaseStatus.Failed, $"the runner says not applicable ({found.Detail}) but ConformanceTable.NotApplicable does not list the case")
                : reason == found.Detail ? found
                : new CaseResult(CaseStatus.Failed, $"the runner says not applicable ({found.Detail}); ConformanceTable.NotApplicable says \"{reason}\"");
        if (!listed) return found;
        return new CaseResult(CaseStatus.Failed, $"ConformanceTable.NotApplicable lists the case (\"{reason}\") but it ran: {found}");
    }

    private static CaseResult RunUnchecked(string caseId, IBackend backend, IOnnxOps ops)
    {
        var dir = Path.Combine(Root, caseId);
        try
        {
            var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
            CheckOps(model);
            var sets = Directory.GetDirectories(dir, "test_data_set_*").OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (sets.Length == 0) return new CaseResult(CaseStatus.Failed, "no test_data_set_* folder");
            foreach (var set in sets)
            {
                string? mismatch = RunSet(model, set, backend, ops);
                if (mismatch is not null) return new CaseResult(CaseStatus.Failed, $"{Path.GetFileName(set)}: {mismatch}");
            }
            return new CaseResult(CaseStatus.Passed, "");
        }
        catch (NotApplicableException e) { return new CaseResult(CaseStatus.NotApplicable, e.Message); }
        catch (Exception e) when (e is not SkipException)
        {
            return new CaseResult(CaseStatus.Failed, e.GetType().Name + ": " + e.Message);
        }
    }

    private static string? RunSet(OnnxModel model, string set, IBackend backend, IOnnxOps ops)
    {
        var g = model.Graph;
        var env = new Dictionary<string, HostValue>();
        foreach (var t in g.Initializers) env[t.Name] = HostValue.From(t);
        var fed = g.FedInputs().ToArray();
        for (int k = 0; k < fed.Length; k++)
        {
            var path = Path.Combine(set, $"input_{k}.pb");
            if (!File.Exists(path)) return $"missing {Path.GetFileName(path)} for input '{fed[k].Name}'";
            env[fed[k].Name] = HostValue.From(OnnxTensor.Load(path));
        }
        var ctx = new NodeContext(backend, ops, model.OpsetVersion());
        try
        {
            foreach (var node in g.Nodes)
            {
                var inputs = node.Inputs.Select(n => n.Length == 0 ? null : env.TryGetValue(n, out var v) ? v
                    : throw new RawConvException($"node {node.OpType}: input '{n}' is not defined")).ToArray();
                var outputs = Execute(node, inputs, ctx);
                for (int k = 0; k < node.Outputs.Count && k < outputs.Length; k++)
                    if (node.Outputs[k].Length > 0 && outputs[k] is { } v) env[node.Outputs[k]] = v;
            }
        }
        finally { ctx.Dispose(); }
        for (int k = 0; k < g.Outputs.Count; k++)
        {
            var path = Path.Combine(set, $"output_{k}.pb");
            if (!File.Exists(path)) return $"missing {Path.GetFileName(path)}";
            var expected = OnnxTensor.Load(path);
            var name = g.Outputs[k].Name;
            if (!env.TryGetValue(name, out var actual)) return $"output '{name}' was not produced";
            string? diff = Compare(actual, HostValue.From(expected), $"output {k} '{name}'");
            if (diff is not null) return diff;
        }
        return null;
    }

    /// <summary>Shape equality, then |a − e| ≤ atol + rtol·|e| for floats (NaN only where expected), exact for integers and bools.</summary>
    public static string? Compare(HostValue actual, HostValue expected, string what)
    {
        if (!actual.Dims.SequenceEqual(expected.Dims))
            return $"{what}: shape [{string.Join(", ", actual.Dims)}], expected [{string.Join(", ", expected.Dims)}]";
        if (expected.Floats is { } e)
        {
            var a = actual.F;
            int bad = 0, worst = -1;
            double worstExcess = double.NegativeInfinity;
            for (int i = 0; i < e.Length; i++)
            {
                double x = a[i], y = e[i];
                double excess = double.IsNaN(x) && double.IsNaN(y) ? -1
                    : double.IsNaN(x) || double.IsNaN(y) ? double.PositiveInfinity
                    : x == y ? -1 : Math.Abs(x - y) - (Atol + Rtol * Math.Abs(y));
                if (excess > 0) bad++;
                if (excess > worstExcess) { worstExcess = excess; worst = i; }
            }
            return bad == 0 ? null
                : $"{what}: {bad} of {e.Length} elements outside atol {Atol:g2} + rtol {Rtol:g2}; worst at {worst}: got {a[worst]:g9}, expected {e[worst]:g9}";
        }
        var ei = expected.I;
        var ai = actual.Ints ?? actual.F.Select(v => (long)v).ToArray();
        if (expected.Type == OnnxDataType.Bool) ai = ai.Select(v => v != 0 ? 1L : 0L).ToArray();
        for (int i = 0; i < ei.Length; i++)
            if (ai[i] != ei[i]) return $"{what}: first difference at {i}: got {ai[i]}, expected {ei[i]}";
        return null;
    }
}
