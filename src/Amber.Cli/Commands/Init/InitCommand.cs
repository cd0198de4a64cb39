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

        using var archive = Archive.Init(env.Options() with { Encryption = env.EncryptNewArchives });
        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject { ["archive"] = dir, ["archive_id"] = archive.ArchiveId, ["encrypted"] = archive.Encryption.IsEncrypted });
        }
        else
        {
            env.Out.WriteLine($"Created an empty archive at {dir} (id {archive.ArchiveId}).");
            env.Out.WriteLine(archive.Encryption.IsEncrypted
                ? $"Encryption at rest is on: tenant keys from {archive.Encryption.KeyProviderDescription} (keep them, and back them up apart from the archive: without them nothing can be read)."
                : $"Encryption at rest is off ({env.Settings[Infrastructure.Settings.SettingsCatalogue.Encryption].Source}): content is stored in the clear.");
        }

        return ExitCodes.Ok;
    }
}
