using System.Diagnostics;

namespace RawConv.Graph.Weights;

public static partial class WeightsFile
{
    /// <summary>Reads the whole file (header and every weight, on the reference backend) and throws on the first problem; the check a child process runs.</summary>
    public static void Verify(string path)
    {
        using var backend = new ReferenceBackend();
        Load(path, backend).Dispose();
    }

    /// <summary>
    /// Runs a checker command (<paramref name="fileName"/> with <paramref name="arguments"/> and the file's path
    /// appended; it should call <see cref="Verify"/> and exit 0) in a short-lived child process, so that a file
    /// crafted to crash or exhaust libhdf5 takes down the child, not this process. Any failure — non-zero exit,
    /// a signal, no answer within <paramref name="timeout"/> — becomes a <see cref="RawConvException"/> naming the file.
    /// </summary>
    public static void VerifyInChildProcess(string path, string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(path);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new RawConvException($"{path}: could not start the checker '{fileName}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RawConvException($"{path}: could not start the checker '{fileName}': {e.Message}", e);
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit();
                throw new RawConvException($"{path}: reading the file did not finish within {timeout.TotalSeconds:g3} s (checker '{fileName}' stopped); the file is damaged or crafted");
            }
            p.WaitForExit();
            if (p.ExitCode == 0) return;
            var detail = stderr.Result.Trim();
            if (detail.Length == 0) detail = stdout.Result.Trim();
            var last = detail.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            string how = p.ExitCode > 128 && p.ExitCode < 160
                ? $"was killed by signal {p.ExitCode - 128}{SignalName(p.ExitCode - 128)} (the HDF5 library crashed on it or ran out of memory)"
                : $"exited with status {p.ExitCode}";
            var message = last.Contains(path) ? last : $"{path}: the checker {how}" + (last.Length > 0 ? $": {last}" : "");
            throw new RawConvException(message);
        }
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        7 => " (SIGBUS)",
        _ => "",
    };
}
