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
}
