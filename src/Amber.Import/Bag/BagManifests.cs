using System.Security.Cryptography;
using System.Text;

namespace Amber.Import.Bag;

/// <summary>
/// The importer's own check of a bag's BagIt structure (RFC 8493 §3): bagit.txt, every line of both SHA-256 manifests
/// against the files, and no payload file the manifest does not list. Returns the payload manifest (path to hex digest).
/// </summary>
internal static class BagManifests
{
    public const string Declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

    public static Dictionary<string, string> Check(string bag)
    {
        var declaration = Path.Combine(bag, "bagit.txt");
        if (!File.Exists(declaration))
        {
            throw new BagRefusedException("bagit.txt", "missing; this folder is not a bag.");
        }

        if (File.ReadAllText(declaration, Encoding.UTF8) != Declaration)
        {
            throw new BagRefusedException("bagit.txt", "not a BagIt 1.0 declaration in UTF-8.");
        }

        var tags = Read(bag, "tagmanifest-sha256.txt");
        foreach (var required in new[] { "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "FORMAT.md" })
        {
            if (!tags.ContainsKey(required))
            {
                throw new BagRefusedException("tagmanifest-sha256.txt", $"does not list {required}.");
            }
        }

        Verify(bag, tags);
        var payload = Read(bag, "manifest-sha256.txt");
        if (payload.Keys.FirstOrDefault(p => !p.StartsWith("data/", StringComparison.Ordinal)) is { } outside)
        {
            throw new BagRefusedException("manifest-sha256.txt", $"lists {outside}, which is not under data/.");
        }

        Verify(bag, payload);
        var data = Path.Combine(bag, "data");
        foreach (var file in Directory.Exists(data) ? Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories) : [])
        {
            var relative = Path.GetRelativePath(bag, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!payload.ContainsKey(relative))
            {
                throw new BagRefusedException(relative, "is in the payload but not in manifest-sha256.txt.");
            }
        }

        return payload;
    }

    private static Dictionary<string, string> Read(string bag, string name)
    {
        var path = Path.Combine(bag, name);
        if (!File.Exists(path))
        {
            throw new BagRefusedException(name, "missing.");
        }

        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadAllText(path, Encoding.UTF8).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var digest = space < 0 ? "" : line[..space];
            var file = space < 0 ? "" : line[(space + 1)..].TrimStart(' ', '*');
            if (digest.Length != 64 || !digest.All(char.IsAsciiHexDigitLower) || file.Length == 0
                || file.Split('/').Any(s => s is "" or "." or "..") || Path.IsPathRooted(file) || file.Contains('\\', StringComparison.Ordinal))
            {
                throw new BagRefusedException(name, $"line {lineNumber} is not \"<sha256 hex>  <relative path>\".");
            }

            if (!entries.TryAdd(file, digest))
            {
                throw new BagRefusedException(name, $"line {lineNumber} lists {file} a second time.");
            }
        }

        return entries;
    }

    private static void Verify(string bag, Dictionary<string, string> entries)
    {
        foreach (var (file, digest) in entries)
        {
            var path = Path.Combine(bag, file.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path))
            {
                throw new BagRefusedException(file, "is listed in the manifest but missing.");
            }

            using var stream = File.OpenRead(path);
            if (Convert.ToHexStringLower(SHA256.HashData(stream)) != digest)
            {
                throw new BagRefusedException(file, "its SHA-256 differs from the manifest's: the file was changed.");
            }
        }
    }
}
