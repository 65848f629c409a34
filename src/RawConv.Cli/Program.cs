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
    Verbs.CheckWeights(),
};
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is RawConvException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"rawconv: {e.Message.Split('\n')[0]}");
    return 1;
}
