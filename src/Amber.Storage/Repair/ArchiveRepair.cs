using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Repair;

/// <summary>
/// Restores damaged segments and external blobs of an archive from another copy: a replica archive (segments and blobs)
/// or a bag written by <c>amber export --bagit</c> (blobs; a bag holds no segments). Works on the files without opening
/// the archive, since damage may stop it opening. A copy is taken only after its hashes check out: a segment's header,
/// every frame CRC and a sealed segment's footer SHA-256, and its bytes equal to the damaged file's up to the first bad
/// byte (the same segment, not a differently compacted one); a blob's SHA-256 equal to its name. Damaged originals are
/// moved to <c>damaged/</c> in the archive, never deleted. The caller runs verify afterwards.
/// </summary>
public static class ArchiveRepair
{
    public const string DamagedFolder = "damaged";

    /// <exception cref="InvalidOperationException">The source is neither an archive nor a bag, is another archive, or a writer holds the archive.</exception>
    public static RepairReport Run(string directory, string from)
    {
        var fs = LocalFileSystem.Instance;
        var paths = new ArchivePaths(directory);
        if (!fs.FileExists(paths.Manifest))
        {
            throw new InvalidOperationException($"{directory}: no archive here (archive.json is missing).");
        }

        var archiveId = ArchiveIdOf(paths.Manifest);
        var source = RepairSource.Open(from, archiveId);
        using var writerLock = TakeWriterLock(paths);
        var report = new RepairReport();
        var damagedDir = Path.Combine(directory, DamagedFolder);
        var idBytes = Convert.FromHexString(archiveId);
        foreach (var number in SegmentNumbers(fs, paths))
        {
            var path = paths.Segment(number);
            if (SegmentCheck.FirstDamage(fs, path, number, idBytes) is not { } damage)
            {
                continue;
            }

            var name = ArchivePaths.SegmentName(number);
            report.Damaged.Add($"segments/{name} at offset {damage.Offset}: {damage.Problem}");
            var problem = source.SegmentCopy(number, idBytes, out var copy);
            if (problem is null)
            {
                var damaged = File.ReadAllBytes(path);
                var prefix = (int)Math.Min(damage.Offset, damaged.Length);
                problem = copy!.Length < prefix || !copy.AsSpan(0, prefix).SequenceEqual(damaged.AsSpan(0, prefix))
                    ? $"the copy in {from} differs before offset {damage.Offset} (not the same segment)"
                    : copy.Length < damaged.Length ? Splice(fs, path, number, idBytes, damaged, ref copy, from) : null;
            }

            if (problem is not null)
            {
                report.Unrepaired.Add($"segments/{name}: {problem}");
                continue;
            }

            Replace(fs, path, Path.Combine(damagedDir, "segments", name), copy!);
            report.Restored.Add($"segments/{name}");
            report.DamagedCopies = damagedDir;
        }

        foreach (var (hex, path) in BlobFiles(fs, paths))
        {
            if (BlobHex(File.ReadAllBytes(path)) == hex)
            {
                continue;
            }

            var rel = $"blobs/{hex[..2]}/{hex[2..]}.zst";
            report.Damaged.Add($"{rel}: its bytes do not decompress to sha256:{hex}");
            var problem = source.BlobCopy(hex, out var compressed);
            if (problem is not null)
            {
                report.Unrepaired.Add($"{rel}: {problem}");
                continue;
            }

            Replace(fs, path, Path.Combine(damagedDir, "blobs", hex[..2], hex[2..] + ".zst"), compressed!);
            report.Restored.Add(rel);
            report.DamagedCopies = damagedDir;
        }

        return report;
    }

    /// <summary>The hex of the SHA-256 of a blob file's decompressed bytes, or null if it does not decompress.</summary>
    internal static string? BlobHex(byte[] compressed)
    {
        try
        {
            using var d = new ZstdSharp.Decompressor();
            return ContentId.Of(d.Unwrap(compressed))[ContentId.Prefix.Length..];
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or ArgumentException)
        {
            return null;
        }
    }

    internal static string ArchiveIdOf(string manifest)
    {
        try
        {
            return (JsonNode.Parse(File.ReadAllBytes(manifest)) as JsonObject)?["archive_id"]?.GetValue<string>()
                ?? throw new InvalidOperationException($"{manifest}: no archive_id.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"{manifest}: not JSON ({e.Message}).", e);
        }
    }

    internal static List<uint> SegmentNumbers(IFileSystem fs, ArchivePaths paths)
    {
        var list = new List<uint>();
        if (fs.DirectoryExists(paths.Segments))
        {
            foreach (var name in fs.ListFiles(paths.Segments))
            {
                if (ArchivePaths.TryParseSegmentName(name, out var n))
                {
                    list.Add(n);
                }
            }
        }

        list.Sort();
        return list;
    }

    /// <summary>
    /// A copy shorter than the damaged file (a replica, or a node's shipped shard, behind it): the copy's bytes, then this
    /// file's own after the copy's end, taken only if the whole checks out (every frame CRC, a sealed segment's footer);
    /// taking the copy alone would drop the commits written after it. Null when <paramref name="copy"/> is now that splice.
    /// </summary>
    private static string? Splice(IFileSystem fs, string path, uint number, byte[] archiveId, byte[] damaged, ref byte[] copy, string from)
    {
        byte[] spliced = [.. copy, .. damaged.AsSpan(copy.Length)];
        var scratchDir = Directory.CreateTempSubdirectory("amber-splice-"); // owner-only; never a stray file among the segments
        var scratch = Path.Combine(scratchDir.FullName, Path.GetFileName(path));
        try
        {
            AtomicFile.Write(fs, scratch, spliced);
            if (SegmentCheck.FirstDamage(fs, scratch, number, archiveId) is { } still)
            {
                return $"the copy in {from} holds {copy.Length} bytes, this file {damaged.Length}: it is behind, and this file's bytes after its end do not check out (offset {still.Offset}: {still.Problem}); taking the copy would drop the commits after its end";
            }
        }
        finally
        {
            scratchDir.Delete(recursive: true);
        }

        copy = spliced;
        return null;
    }

    private static IEnumerable<(string Hex, string Path)> BlobFiles(IFileSystem fs, ArchivePaths paths)
    {
        if (!fs.DirectoryExists(paths.Blobs))
        {
            yield break;
        }

        foreach (var dir in fs.ListDirectories(paths.Blobs))
        {
            foreach (var file in fs.ListFiles(Path.Combine(paths.Blobs, dir)))
            {
                if (dir.Length == 2 && file.Length == 66 && file.EndsWith(".zst", StringComparison.Ordinal))
                {
                    yield return (dir + file[..^4], Path.Combine(paths.Blobs, dir, file));
                }
            }
        }
    }

    /// <summary>Keeps the damaged original, then swaps the checked copy in atomically.</summary>
    private static void Replace(IFileSystem fs, string path, string keepAs, byte[] copy)
    {
        // The damaged bytes are kept durably (like any file the archive writes) before the good copy replaces them.
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(keepAs)!);
        AtomicFile.Write(fs, keepAs, File.ReadAllBytes(path));
        AtomicFile.Write(fs, path, copy);
    }

    private static FileStream TakeWriterLock(ArchivePaths paths)
    {
        try
        {
            return new FileStream(paths.Lock, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"{paths.Root}: another process holds the archive open for writing ({e.Message}); stop it before repairing.", e);
        }
    }
}
