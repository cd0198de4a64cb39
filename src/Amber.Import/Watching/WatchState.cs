using System.Text;
using System.Text.Json.Nodes;
using Amber.Import.Sources;
using Amber.Storage.FileSystem;

namespace Amber.Import.Watching;

/// <summary>
/// What `amber import --watch` has read: each file's <see cref="FileStamp"/> when it was last imported (or refused),
/// kept in the archive folder as <see cref="FileName"/> so a restarted watch re-reads only files that changed since.
/// A file is ready once its stamp differs from the recorded one and held still for one poll (the settle delay), so a
/// file being written is read after its writer pauses. Re-reading a file is idempotent (the archive adds only what
/// is new), so losing this state costs one full re-read, never a duplicate.
/// </summary>
public sealed class WatchState
{
    public const string FileName = "import-watch.json";

    private readonly string path;
    private readonly Dictionary<string, FileStamp> imported;
    private readonly Dictionary<string, FileStamp> lastPoll = new(StringComparer.Ordinal);

    private WatchState(string path, Dictionary<string, FileStamp> imported)
    {
        this.path = path;
        this.imported = imported;
    }

    /// <summary>The state kept in <paramref name="archiveDirectory"/>, or an empty one (an unreadable file is read as empty: everything is re-read once).</summary>
    public static WatchState Load(string archiveDirectory)
    {
        var file = Path.Combine(archiveDirectory, FileName);
        var imported = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(file) && JsonNode.Parse(File.ReadAllBytes(file))?["files"] is JsonObject files)
            {
                foreach (var (name, value) in files)
                {
                    if (value is JsonArray { Count: 2 } a && a[0] is JsonValue l && l.TryGetValue(out long length) && a[1] is JsonValue t && t.TryGetValue(out long ticks))
                    {
                        imported[name] = new FileStamp(length, ticks);
                    }
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            imported.Clear();
        }

        return new WatchState(file, imported);
    }

    /// <summary>
    /// Polls <paramref name="roots"/> (folders are walked as `import` walks them; files are taken as given): the
    /// files whose stamp changed since they were imported and is the same as at the previous poll.
    /// </summary>
    public IReadOnlyList<string> Poll(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var ready = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in roots.SelectMany(Files))
        {
            if (!seen.Add(file) || FileStamp.Of(file) is not { } now)
            {
                continue;
            }

            var still = lastPoll.TryGetValue(file, out var before) && before == now;
            lastPoll[file] = now;
            if (still && (!imported.TryGetValue(file, out var done) || done != now))
            {
                ready.Add(file);
            }
        }

        return ready;
    }

    /// <summary>Records <paramref name="files"/> as read at the stamp the last poll saw (a file that grew since is read again).</summary>
    public void Done(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var f in files)
        {
            if (lastPoll.TryGetValue(f, out var stamp))
            {
                imported[f] = stamp;
            }
        }

        var o = new JsonObject();
        foreach (var (name, stamp) in imported.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            o[name] = new JsonArray(stamp.Length, stamp.WriteTicks);
        }

        AtomicFile.Write(path, Encoding.UTF8.GetBytes(new JsonObject { ["files"] = o }.ToJsonString()));
    }

    private static IEnumerable<string> Files(string root)
    {
        var full = Path.GetFullPath(root);
        if (Directory.Exists(full))
        {
            return new ExportFolder(full, null).Walk().Where(f => ImportSources.IsReadable(f) || f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase));
        }

        return File.Exists(full) ? [full] : [];
    }
}
