using Spectre.Console;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// Progress for work that is long only sometimes, such as an open that upgrades or catches up the index: the bar
/// (through <see cref="ProgressDisplay.Run{TProgress, T}"/>, so under its one rule) starts at the first report that
/// says work remains, and ends when this is disposed. Work that finishes in one report shows nothing.
/// </summary>
internal sealed class DeferredProgress<TProgress>(CliEnvironment env, string description, Func<TProgress, bool> remains, Action<ProgressTask, TProgress> show)
    : IProgress<TProgress>, IDisposable
{
    private readonly ManualResetEventSlim started = new();
    private readonly ManualResetEventSlim done = new();
    private Thread? display;
    private IProgress<TProgress>? sink;

    public void Report(TProgress value)
    {
        if (display is null)
        {
            if (!remains(value) || !env.ShowsProgress)
            {
                return;
            }

            display = new Thread(() => ProgressDisplay.Run<TProgress, bool>(env, description, progress =>
            {
                sink = progress;
                started.Set();
                done.Wait();
                return true;
            }, show))
            { IsBackground = true, Name = "amber progress" };
            display.Start();
            started.Wait();
        }

        sink?.Report(value);
    }

    public void Dispose()
    {
        done.Set();
        display?.Join();
        started.Dispose();
        done.Dispose();
    }
}
