using System.Security.Cryptography;
using Amber.Storage.Keys;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// Where the CLI's tenant keys come from (docs/format/encryption.md §2): the folder <c>AMBER_KEYS_DIR</c> when set,
/// else the master keys <c>AMBER_MASTER_KEY_1</c>, <c>_2</c>, … when set, else a folder of this archive's own under the
/// user's data folder (<c>~/.local/share/amber/keys/ARCHIVE-ID</c>). Never inside the archive folder.
/// </summary>
internal static class CliKeyProvider
{
    public const string KeysDirVariable = "AMBER_KEYS_DIR";

    public static Func<string, IKeyProvider> For(IReadOnlyDictionary<string, string?> variables) => archiveId =>
    {
        if (variables.TryGetValue(KeysDirVariable, out var dir) && !string.IsNullOrWhiteSpace(dir))
        {
            return new FileKeyProvider(Path.GetFullPath(dir), RandomNumberGenerator.Create());
        }

        if (variables.Any(v => v.Key.StartsWith(EnvironmentKeyProvider.DefaultPrefix, StringComparison.Ordinal) && !string.IsNullOrEmpty(v.Value)))
        {
            return new EnvironmentKeyProvider(variables.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!, StringComparer.Ordinal));
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return new FileKeyProvider(Path.Combine(data, "amber", "keys", archiveId), RandomNumberGenerator.Create());
    };
}
