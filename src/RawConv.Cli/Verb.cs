using System.CommandLine;
using RawConv.Graph;

namespace RawConv.Cli;

/// <summary>
/// A verb shaped compute → render → write: <see cref="Read"/> turns the parsed command line into settings (and
/// rejects bad ones before any device opens), <see cref="Compute"/> runs the algorithm and returns its data,
/// <see cref="Render"/> turns that into pictures, tables and text, and the <see cref="OutputWriter"/> writes the
/// files. `report` calls the same steps with its own open model.
/// </summary>
internal abstract class Verb<TSettings, TResult>
{
    private Command? command;

    /// <summary>The shared options; the verb adds the ones it takes in <see cref="Build"/>.</summary>
    protected CommonOptions Common { get; } = new();

    /// <summary>The System.CommandLine command, built once.</summary>
    public Command Command => command ??= WithAction(Build());

    /// <summary>Declares the command and its options.</summary>
    protected abstract Command Build();

    /// <summary>The verb's settings from a parse of its command line.</summary>
    public abstract TSettings Read(ParseResult p);

    /// <summary>Runs the algorithm; returns data only.</summary>
    public abstract TResult Compute(Session session, TSettings settings);

    /// <summary>Turns the result into files (not yet written), the --json payload and the text summary.</summary>
    public abstract Rendered Render(Session session, TSettings settings, TResult result);

    /// <summary>Reads <paramref name="args"/> (starting with the verb's name) as this verb's settings, as the command line would.</summary>
    public (CommonArgs Common, TSettings Settings) Parse(string[] args)
    {
        var p = new RootCommand { Command }.Parse(args);
        if (p.Errors.Count > 0) throw new RawConvException($"`{OutputWriter.Join(args)}`: {p.Errors[0].Message}");
        return (Common.Read(p), Read(p));
    }

    /// <summary>Compute, render and stage the files in <paramref name="writer"/> (the caller commits).</summary>
    public Rendered Run(Session session, TSettings settings, OutputWriter writer)
    {
        TResult result;
        try
        {
            result = Compute(session, settings);
        }
        catch (NonFiniteException e) when (session.Loaded is { } m && !e.Message.Contains(m.Source, StringComparison.Ordinal))
        {
            // An optimizing loop whose step overflowed on a damaged model fails in its next forward pass; name the model.
            throw new RawConvException($"{m.Source}: {e.Message} (the run left the finite range on this model — `rawconv check-weights` inspects its weights)");
        }
        try
        {
            var rendered = Render(session, settings, result);
            writer.StageAll(rendered.Files);
            return rendered;
        }
        finally
        {
            (result as IDisposable)?.Dispose();
        }
    }

    private Command WithAction(Command cmd)
    {
        cmd.SetAction(p =>
        {
            var settings = Read(p);
            var common = Common.Read(p);
            using var session = Session.Open(common);
            using var writer = new OutputWriter(OutputWriter.ProcessCommandLine);
            var rendered = Run(session, settings, writer);
            writer.Commit();
            var output = p.InvocationConfiguration.Output;
            Verbs.Print(output, common.Json, rendered.Json, () => rendered.Text(output));
            return 0;
        });
        return cmd;
    }
}
