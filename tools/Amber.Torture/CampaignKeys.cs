using System.Security.Cryptography;
using Amber.Storage.Keys;

namespace Amber.Torture;

/// <summary>
/// The tenant keys of the archives a campaign makes: `amber` makes encrypted archives by default, so the children
/// (which inherit <c>AMBER_KEYS_DIR</c>) and the campaign's own audits must read and write the same key folder — a
/// scratch one, never the user's own.
/// </summary>
public static class CampaignKeys
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        var given = Environment.GetEnvironmentVariable("AMBER_KEYS_DIR");
        var dir = string.IsNullOrWhiteSpace(given)
            ? Path.Combine(Path.GetTempPath(), $"amber-torture-keys-{Environment.ProcessId}")
            : Path.GetFullPath(given);
        Directory.CreateDirectory(dir);
        Environment.SetEnvironmentVariable("AMBER_KEYS_DIR", dir); // every child started from now on inherits it
        return dir;
    });

    /// <summary>The key folder, set for this process's children on first use.</summary>
    public static string Folder => Dir.Value;

    /// <summary>The key provider of an archive opened by the campaign itself (an audit, a rot trial).</summary>
    public static IKeyProvider Provider(string archiveId) => new FileKeyProvider(Folder, RandomNumberGenerator.Create());
}
