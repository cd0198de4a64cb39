using Amber.Cli.Infrastructure;
using Amber.Core.Crypto;

namespace Amber.Cli.Commands.Seal;

internal static class SealCommand
{
    public static int Seal(CliEnvironment env, string id, FileInfo trusteesFile, int threshold, string? reason)
    {
        if (!trusteesFile.Exists)
        {
            env.Error.WriteLine($"amber: seal: {trusteesFile.FullName} does not exist.");
            return ExitCodes.Failed;
        }

        var trustees = TrusteesFile.Parse(File.ReadAllText(trusteesFile.FullName), trusteesFile.Name);
        using var archive = env.Open();
        try
        {
            archive.Encryption.Seal(id, trustees, threshold, reason);
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: seal: {e.Message}");
            return ExitCodes.Failed;
        }

        env.Out.WriteLine($"Sealed conversation {id}: {threshold} of its {trustees.Count} trustees ({string.Join(", ", trustees.Select(t => t.Name))}) must give their keys to unseal it (amber unseal {id} --trustee-key FILE …).");
        return ExitCodes.Ok;
    }

    public static int Unseal(CliEnvironment env, string id, FileInfo[] keyFiles)
    {
        var keys = new List<TrusteeKeyPair>();
        foreach (var file in keyFiles)
        {
            if (!file.Exists)
            {
                env.Error.WriteLine($"amber: unseal: {file.FullName} does not exist.");
                return ExitCodes.Failed;
            }

            keys.Add(TrusteeKeyPair.Parse(File.ReadAllText(file.FullName), file.Name));
        }

        using var archive = env.Open();
        try
        {
            archive.Encryption.Unseal(id, keys);
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: unseal: {e.Message}");
            return ExitCodes.Failed;
        }

        env.Out.WriteLine($"Unsealed conversation {id}: its data key is wrapped under the tenant key again.");
        return ExitCodes.Ok;
    }
}
