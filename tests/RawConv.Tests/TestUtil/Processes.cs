using System.Diagnostics;

namespace RawConv.Tests.TestUtil;

/// <summary>Runs a program to completion for the packaging tests, failing the test on a time-out or a non-zero exit.</summary>
public static class Processes
{
    /// <summary>The program's standard output; <paramref name="seconds"/> bounds its run.</summary>
    public static string Run(string exe, string cwd, int seconds, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(seconds * 1000), $"{exe} {string.Join(' ', args)} did not finish in {seconds} s");
        Assert.True(p.ExitCode == 0, $"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result} {stderr.Result}");
        return stdout.Result;
    }
}
