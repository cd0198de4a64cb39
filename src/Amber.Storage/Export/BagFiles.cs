using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Export;

/// <summary>
/// Writes the files of a new bag, owner-only like the archive they come from, and remembers each one's SHA-256 for the
/// manifests. A bag is written once into an empty folder; the tag manifest comes last, so a bag cut short by a crash
/// fails validation instead of passing for whole.
/// </summary>
internal sealed class BagFiles(string root)
{
    private readonly List<(string Path, string Sha256, long Length)> payload = [];

    public long PayloadBytes => payload.Sum(p => p.Length);

    public int PayloadCount => payload.Count;

    /// <summary>Writes a payload file (under data/) and records it for manifest-sha256.txt.</summary>
    public void Payload(string relative, ReadOnlySpan<byte> bytes) => payload.Add((relative, Write(relative, bytes), bytes.Length));

    /// <summary>Writes the tag files and both manifests; the tag manifest is the last file written.</summary>
    public void Finish(IReadOnlyList<(string Name, byte[] Bytes)> tagFiles)
    {
        var tags = new List<(string Path, string Sha256)>();
        foreach (var (name, bytes) in tagFiles)
        {
            tags.Add((name, Write(name, bytes)));
        }

        var manifest = Encoding.UTF8.GetBytes(string.Concat(payload.OrderBy(p => p.Path, StringComparer.Ordinal).Select(p => $"{p.Sha256}  {p.Path}\n")));
        tags.Add(("manifest-sha256.txt", Write("manifest-sha256.txt", manifest)));
        var tagManifest = Encoding.UTF8.GetBytes(string.Concat(tags.OrderBy(t => t.Path, StringComparer.Ordinal).Select(t => $"{t.Sha256}  {t.Path}\n")));
        Write("tagmanifest-sha256.txt", tagManifest);
    }

    /// <summary>The Payload-Oxum of bag-info.txt: octets, a dot, the number of payload files.</summary>
    public string Oxum() => string.Create(CultureInfo.InvariantCulture, $"{PayloadBytes}.{PayloadCount}");

    private string Write(string relative, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = new FileStream(path, OwnerOnly.Create(FileMode.CreateNew, FileAccess.Write)))
        {
            stream.Write(bytes);
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
