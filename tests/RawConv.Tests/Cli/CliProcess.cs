using System.Diagnostics;

namespace RawConv.Tests.Cli;

/// <summary>Runs the `rawconv` command line as a child process, the way a user runs it (so no test swaps this process's console or environment).</summary>
internal static class CliProcess
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rawconv.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "rawconv did not finish in 120 s: " + string.Join(' ', args));
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Like <see cref="Run"/>, but a run past <paramref name="timeout"/> is killed and reported (TimedOut) instead of failing the test.</summary>
    public static (int Code, string Out, string Err, bool TimedOut) RunWithin(TimeSpan timeout, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rawconv.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return (-1, stdout.Result, stderr.Result, true);
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result, false);
    }
}
