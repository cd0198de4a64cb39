using Amber.Storage;
using Spectre.Console;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// The one rule for progress on long commands, and its display. Progress goes to stderr, only when stderr is a terminal
/// and neither --json nor --quiet is given: a redirected or scripted run sees no progress, and stdout stays the result.
/// </summary>
internal static class ProgressDisplay
{
    public static bool Shows(bool errorIsTerminal, bool json, bool quiet) => errorIsTerminal && !json && !quiet;

    /// <summary>Runs <paramref name="work"/> with a progress bar on stderr when <see cref="CliEnvironment.ShowsProgress"/>, else with no progress sink.</summary>
    /// <param name="show">Sets the bar from one report (value, maximum, description); called on the reporting thread.</param>
    public static T Run<TProgress, T>(CliEnvironment env, string description, Func<IProgress<TProgress>?, T> work, Action<ProgressTask, TProgress> show)
    {
        if (!env.ShowsProgress)
        {
            return work(null);
        }

        return Bar(env).Start(ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(description), maxValue: 1);
            var result = work(new Reporter<TProgress>(p => show(task, p)));
            task.Value = task.MaxValue;
            return result;
        });
    }

    /// <summary>Shows a segment scan (verify, index rebuild): bytes of the total, and the frames so far.</summary>
    public static Action<ProgressTask, ScanProgress> Scan(string label) => (task, p) =>
    {
        task.Description = Markup.Escape($"{label}: {p.Frames:N0} frames, {Output.Bytes(p.BytesScanned)} of {Output.Bytes(p.BytesTotal)}");
        task.MaxValue = Math.Max(1, p.BytesTotal);
        task.Value = Math.Min(p.BytesScanned, task.MaxValue);
    };

    /// <summary>Async work (replay): the display refreshes on its own thread while the work awaits.</summary>
    public static async Task<T> RunAsync<TProgress, T>(CliEnvironment env, string description, Func<IProgress<TProgress>?, Task<T>> work, Action<ProgressTask, TProgress> show)
    {
        if (!env.ShowsProgress)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await Bar(env).StartAsync(async ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(description), maxValue: 1);
            var result = await work(new Reporter<TProgress>(p => show(task, p))).ConfigureAwait(false);
            task.Value = task.MaxValue;
            return result;
        }).ConfigureAwait(false);
    }

    private static Progress Bar(CliEnvironment env)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Error),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .AutoClear(true) // the bar leaves nothing behind: stderr keeps only notes and errors
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());
    }

    /// <summary>Applies each report at once on the reporting thread (Spectre's task is thread-safe; Progress&lt;T&gt; would queue a pool item per report).</summary>
    private sealed class Reporter<TProgress>(Action<TProgress> apply) : IProgress<TProgress>
    {
        public void Report(TProgress value) => apply(value);
    }
}
