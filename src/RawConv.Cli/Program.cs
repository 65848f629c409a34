using System.CommandLine;
using System.CommandLine.Invocation;
using RawConv;
using RawConv.Cli;

var root = new RootCommand("rawconv — a from-scratch GPU engine for opening up convolutional networks")
{
    Verbs.Devices(),
    Verbs.Info(),
    Verbs.Import(),
    Verbs.Classify(),
    Verbs.Features(),
    Verbs.Train(),
    Verbs.Evaluate(),
    Verbs.Report(),
    Verbs.Deconv(),
    Verbs.TopKVerb(),
    Verbs.Saliency(),
    Verbs.Occlusion(),
    Verbs.Invariance(),
    Verbs.Correspondence(),
    Verbs.Evolution(),
    new MaximizeVerb().Command,
    new InvertVerb().Command,
    new DreamVerb().Command,
    new AdversarialVerb().Command,
    new FoolVerb().Command,
    new TextureVerb().Command,
    new StyleVerb().Command,
    Verbs.Dgn(),
    Verbs.CheckWeights(),
};
try
{
    var parse = root.Parse(args);
    // A mistyped command line gets one line naming what is wrong, not the whole help text (bare `rawconv` still shows it).
    if (parse.Errors.Count > 0 && args.Length > 0)
        throw new RawConvException($"{string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')).Distinct())} — see `rawconv {(parse.CommandResult.Command == root ? "" : parse.CommandResult.Command.Name + " ")}--help`");
    Checks.NoEmptyValues(parse);
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    // Expected failures (bad input, files, devices) exit 1; anything else is a defect of ours and exits 70
    // (EX_SOFTWARE). Either way one line, and the trace only when RAWCONV_DEBUG=1.
    bool expected = e is RawConvException or IOException or UnauthorizedAccessException;
    string line = e.Message.Split('\n')[0];
    Console.Error.WriteLine(expected ? $"rawconv: {line}" : $"rawconv: internal error ({e.GetType().Name}): {line} — RAWCONV_DEBUG=1 prints the trace");
    if (Environment.GetEnvironmentVariable("RAWCONV_DEBUG") == "1") Console.Error.WriteLine(e);
    return expected ? 1 : 70;
}
