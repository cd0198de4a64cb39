using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Amber.Cli.Tests.Bag;

/// <summary>
/// A small BagIt 1.0 validator (RFC 8493 §3) written for the tests, sharing no code with the exporter or the importer:
/// bagit.txt, both SHA-256 manifests against the files, every payload file listed, and the Payload-Oxum. Returns the
/// faults it finds; an empty list means the bag is complete and valid.
/// </summary>
internal static class BagItValidator
{
    public static List<string> Validate(string bag)
    {
        var faults = new List<string>();
        var declaration = Path.Combine(bag, "bagit.txt");
        if (!File.Exists(declaration) || File.ReadAllText(declaration) is not { } text
            || !text.Split('\n').Contains("BagIt-Version: 1.0") || !text.Split('\n').Contains("Tag-File-Character-Encoding: UTF-8"))
        {
            faults.Add("bagit.txt: missing or not BagIt 1.0 / UTF-8");
        }

        var payload = Check(bag, "manifest-sha256.txt", faults);
        var tags = Check(bag, "tagmanifest-sha256.txt", faults);
        foreach (var tag in new[] { "bagit.txt", "bag-info.txt", "manifest-sha256.txt" })
        {
            if (!tags.Contains(tag))
            {
                faults.Add($"tagmanifest-sha256.txt: does not list {tag}");
            }
        }

        long bytes = 0;
        var files = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(bag, "data"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(bag, file).Replace('\\', '/');
            files++;
            bytes += new FileInfo(file).Length;
            if (!payload.Contains(relative))
            {
                faults.Add($"{relative}: not in manifest-sha256.txt");
            }
        }

        var oxum = File.ReadAllLines(Path.Combine(bag, "bag-info.txt")).FirstOrDefault(l => l.StartsWith("Payload-Oxum:", StringComparison.Ordinal));
        if (oxum is null || oxum["Payload-Oxum:".Length..].Trim() != string.Create(CultureInfo.InvariantCulture, $"{bytes}.{files}"))
        {
            faults.Add($"bag-info.txt: Payload-Oxum {oxum} is not {bytes}.{files}");
        }

        return faults;
    }

    private static HashSet<string> Check(string bag, string manifest, List<string> faults)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var path = Path.Combine(bag, manifest);
        if (!File.Exists(path))
        {
            faults.Add($"{manifest}: missing");
            return listed;
        }

        foreach (var line in File.ReadAllLines(path, Encoding.UTF8).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            var file = Path.Combine(bag, parts[1]);
            listed.Add(parts[1]);
            if (!File.Exists(file))
            {
                faults.Add($"{parts[1]}: listed in {manifest} but missing");
            }
            else if (!Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).Equals(parts[0], StringComparison.OrdinalIgnoreCase))
            {
                faults.Add($"{parts[1]}: checksum differs from {manifest}");
            }
        }

        return listed;
    }
}
