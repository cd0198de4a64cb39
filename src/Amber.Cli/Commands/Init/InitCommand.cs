using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;

namespace Amber.Cli.Commands.Init;

internal static class InitCommand
{
    public static int Run(CliEnvironment env, bool json)
    {
        var dir = env.ArchiveDirectory;
        if (Archive.Exists(dir))
        {
            env.Error.WriteLine($"amber: {dir} already holds an archive.");
            return ExitCodes.Failed;
        }

        using var archive = Archive.Init(env.Options());
        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject { ["archive"] = dir, ["archive_id"] = archive.ArchiveId });
        }
        else
        {
            env.Out.WriteLine($"Created an empty archive at {dir} (id {archive.ArchiveId}).");
        }

        return ExitCodes.Ok;
    }
}
