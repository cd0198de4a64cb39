using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Segments;

namespace Amber.Storage;

/// <summary><c>archive.json</c> (segment.md): written last at init, so an archive whose manifest exists is complete; read first at every open.</summary>
internal static class ArchiveManifest
{
    /// <summary>Creates a new, empty archive's folders, first segment, log keys and manifest. Fails if the folder already holds one.</summary>
    public static void Create(ArchiveOptions options)
    {
        var paths = new ArchivePaths(options.Directory);
        var fs = options.FileSystem;
        if (fs.FileExists(paths.Manifest))
        {
            throw new InvalidOperationException($"{options.Directory} already holds an Amber archive.");
        }

        fs.CreateDirectory(options.Directory);
        if (fs is LocalFileSystem)
        {
            OwnerOnly.Tighten(options.Directory); // a folder the user made beforehand keeps no wider mode
        }

        fs.CreateDirectory(paths.Segments);
        fs.CreateDirectory(paths.Blobs);
        var id = new byte[16];
        options.Random(id);
        var now = options.TimeProvider.GetUtcNow();

        // Segment 1 first, then the manifest: an archive whose manifest exists is complete. Segments without a
        // manifest are either an init that crashed (one empty segment: safe to redo) or a lost manifest (refuse).
        foreach (var existing in fs.ListFiles(paths.Segments))
        {
            var full = Path.Combine(paths.Segments, existing);
            using (var f = fs.OpenRead(full))
            {
                if (!existing.EndsWith(".tmp", StringComparison.Ordinal) && (existing != ArchivePaths.SegmentName(1) || f.Length > SegmentHeader.Size))
                {
                    throw new CorruptArchiveException($"{options.Directory} has segment files but no archive.json; refusing to create a new archive over them. Restore archive.json (its archive_id is in every segment header, bytes 16..31).");
                }
            }

            fs.Delete(full);
        }

        SegmentStore.CreateSegmentFile(fs, paths, 1, id, now.ToUnixTimeMilliseconds());
        Amber.Storage.Log.LogKeys.Create(fs, options.Directory, options.LogOrigin ?? Archive.DefaultLogOrigin(Convert.ToHexStringLower(id)), options.Random);
        var manifest = new JsonObject
        {
            ["format"] = "amber-archive",
            ["version"] = Archive.FormatVersion,
            ["archive_id"] = Convert.ToHexStringLower(id),
            ["created"] = Amber.Core.Time.Timestamps.Format(now),
        };
        AtomicFile.Write(fs, paths.Manifest, CanonicalJson.Canonicalize(ArchiveEncryption.WithEncryption(manifest, options, paths, Convert.ToHexStringLower(id))));
    }

    /// <summary>
    /// A writer's open: rewrites an older manifest at <see cref="Archive.FormatVersion"/> and adds to
    /// <paramref name="actions"/> what recovery reports, naming the file (an archive written at format 3 whose
    /// archive.json rotted to 2 is mended here, and says so); returns the version the manifest now states. A read-only
    /// open leaves a format-2 archive as it is (it holds no packed frame).
    /// </summary>
    public static int Upgrade(IFileSystem fs, ArchivePaths paths, JsonObject manifest, int version, List<string> actions)
    {
        if (version >= Archive.FormatVersion)
        {
            return version;
        }

        manifest["version"] = Archive.FormatVersion;
        AtomicFile.Write(fs, paths.Manifest, CanonicalJson.Canonicalize(manifest));
        actions.Add($"{paths.Manifest}: archive format {version} → {Archive.FormatVersion}: new frames are packed (docs/format/record-frame.md §10)");
        return Archive.FormatVersion;
    }

    /// <summary>Reads and checks the manifest: an Amber archive of a format this build opens.</summary>
    public static (JsonObject Manifest, int Version, string ArchiveId) Read(SegmentStore segments, ArchivePaths paths)
    {
        JsonObject manifest;
        int version;
        string archiveId;
        try
        {
            manifest = JsonNode.Parse(segments.ReadAll(paths.Manifest)) as JsonObject
                ?? throw new CorruptArchiveException($"{paths.Manifest}: not a JSON object.");
            if (manifest["format"]?.GetValue<string>() != "amber-archive")
            {
                throw new CorruptArchiveException($"{paths.Manifest}: not an Amber archive manifest.");
            }

            version = manifest["version"]?.GetValue<int>() ?? 0;
            archiveId = manifest["archive_id"]?.GetValue<string>() ?? throw new CorruptArchiveException($"{paths.Manifest}: no archive_id.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CorruptArchiveException($"{paths.Manifest}: not valid JSON ({e.Message}).", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A string that is not UTF-8 is found only when read (JsonNode parses lazily), and a member of the wrong type
            // only when its value is asked for: found by the rot campaign (a bit flip in a string of archive.json).
            throw new CorruptArchiveException($"{paths.Manifest}: damaged ({e.Message}).", e);
        }

        if (version > Archive.FormatVersion)
        {
            throw new CorruptArchiveException($"{paths.Manifest}: archive format {version} is newer than this build reads ({Archive.FormatVersion}).");
        }

        if (version < Archive.OldestFormatVersion)
        {
            throw new CorruptArchiveException($"{paths.Manifest}: archive format {version} predates the transparency log and is not supported by this build.");
        }

        return (manifest, version, archiveId);
    }
}
