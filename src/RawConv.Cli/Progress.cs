using Spectre.Console;

namespace RawConv.Cli;

/// <summary>Progress bars for long work, drawn on stderr (stdout stays clean for --json) and only on a terminal.</summary>
internal static class Progress
{
    private static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Runs <paramref name="work"/> over <paramref name="total"/> items in steps, with a bar when stderr is interactive.</summary>
    public static void Run(string title, int total, Action<Action<int>> work)
    {
        if (Console.IsErrorRedirected || total <= 1)
        {
            work(_ => { });
            return;
        }
        Err.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                work(n => task.Increment(n));
            });
    }

    /// <summary>
    /// Like <see cref="Run"/> for optimization loops: each step also reports the objective, which the bar shows beside
    /// the title (what a user watches to see whether the settings work).
    /// </summary>
    public static void RunObjective(string title, int total, Action<Action<int, double>> work)
    {
        if (Console.IsErrorRedirected || total <= 1)
        {
            work((_, _) => { });
            return;
        }
        Err.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                work((n, objective) =>
                {
                    task.Description = $"{title}  objective {objective:G5}";
                    task.Increment(n);
                });
            });
    }
}
