using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Log.Checkpoint;

internal static class LogCheckpointCommand
{
    public static int Run(CliEnvironment env)
    {
        using var archive = env.Open();
        archive.RefreshLog();
        if (archive.Log.LatestCheckpoint is not { } note)
        {
            env.Error.WriteLine("amber: the log is empty; nothing has been committed yet.");
            return ExitCodes.Failed;
        }

        env.Out.Write(note.Format());
        return ExitCodes.Ok;
    }
}
