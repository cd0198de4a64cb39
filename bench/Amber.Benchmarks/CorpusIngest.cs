using System.Diagnostics;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// Commits every corpus record to a fresh archive on the real disk, by default each as its own
/// CommitBatch: kind and format = corpus folder, source = file name, source id = record index, the
/// record's exact bytes as raw, and one root node (role "source") whose text is every JSON string value
/// of the record.
/// </summary>
public static class CorpusIngest
{
    public static IngestResult Run(IReadOnlyList<CorpusRecord> records, IngestSettings settings, string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var counters = new IoCounters();
        var options = new ArchiveOptions { Directory = directory, FileSystem = new TimingFileSystem(counters, settings.Durable) };
        options = settings.Configure?.Invoke(options) ?? options;
        var groups = Group(records, settings.RecordsPerCommit);
        var frameBytes = new Dictionary<string, long>(StringComparer.Ordinal);
        var ids = new List<(string, string)>(records.Count);
        var times = new List<TimeSpan>(groups.Count);
        long buildTicks = 0;
        long commitTicks = 0;
        using var archive = Archive.Init(options);
        counters.Reset();
        if (settings.Pipelined)
        {
            var t0 = Stopwatch.GetTimestamp();
            var batches = groups.Select(g => BuildBatch(g, settings.IncludeNode, ids)).ToList();
            var t1 = Stopwatch.GetTimestamp();
            var results = Task.WhenAll(batches.Select(b => archive.CommitAsync(b))).GetAwaiter().GetResult();
            var t2 = Stopwatch.GetTimestamp();
            buildTicks = t1 - t0;
            commitTicks = t2 - t1;
            for (var i = 0; i < groups.Count; i++)
            {
                frameBytes[groups[i][0].Folder] = frameBytes.GetValueOrDefault(groups[i][0].Folder) + results[i].StoredBytes;
            }
        }
        else
        {
            foreach (var g in groups)
            {
                var t0 = Stopwatch.GetTimestamp();
                var batch = BuildBatch(g, settings.IncludeNode, ids);
                var t1 = Stopwatch.GetTimestamp();
                var result = archive.Commit(batch);
                var t2 = Stopwatch.GetTimestamp();
                buildTicks += t1 - t0;
                commitTicks += t2 - t1;
                times.Add(Stopwatch.GetElapsedTime(t1, t2));
                frameBytes[g[0].Folder] = frameBytes.GetValueOrDefault(g[0].Folder) + result.StoredBytes;
            }
        }

        var external = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var hex = ids[i].Item2[ContentId.Prefix.Length..];
            var path = Path.Combine(directory, "blobs", hex[..2], hex[2..] + ".zst");
            if (File.Exists(path))
            {
                external[records[i].Folder] = external.GetValueOrDefault(records[i].Folder) + new FileInfo(path).Length;
            }
        }

        return new IngestResult
        {
            Settings = settings,
            ArchiveDirectory = directory,
            CompressionLevel = options.CompressionLevel,
            Records = records.Count,
            Commits = groups.Count,
            RawBytes = records.Sum(r => (long)r.Bytes.Length),
            Build = Stopwatch.GetElapsedTime(0, buildTicks),
            Commit = Stopwatch.GetElapsedTime(0, commitTicks),
            FileSync = counters.FileSync,
            FileSyncs = counters.FileSyncs,
            DirectorySync = counters.DirectorySync,
            DirectorySyncs = counters.DirectorySyncs,
            Write = counters.Write,
            WriteBytes = counters.WriteBytes,
            FrameBytesByFolder = frameBytes,
            ExternalBytesByFolder = external,
            Ids = ids,
            Stats = archive.GetStats(),
            CommitTimes = times,
        };
    }

    /// <summary>One batch holding the given records (see the class summary); appends (conversation id, raw id) per record to <paramref name="ids"/>.</summary>
    public static CommitBatch BuildBatch(IReadOnlyList<CorpusRecord> records, bool includeNode, List<(string ConversationId, string RawId)> ids)
    {
        var batch = new CommitBatch(records[0].Folder);
        foreach (var r in records)
        {
            var part = batch.AddConversation(new ConversationRecord
            {
                Format = r.Folder,
                Source = r.File,
                SourceId = r.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            var rawId = part.AddRaw(r.Bytes);
            if (includeNode)
            {
                part.AddNode(StandInNode(r));
            }

            ids.Add((part.Id, rawId));
        }

        return batch;
    }

    /// <summary>The stand-in normalized form until the importers exist: one root node holding every string value.</summary>
    public static Node StandInNode(CorpusRecord r) => new() { Role = "source", Content = [new TextBlock(r.Text)] };

    /// <summary>Consecutive records of the same file, at most <paramref name="perCommit"/> to a group.</summary>
    private static List<List<CorpusRecord>> Group(IReadOnlyList<CorpusRecord> records, int perCommit)
    {
        var groups = new List<List<CorpusRecord>>();
        foreach (var r in records)
        {
            var last = groups.Count > 0 ? groups[^1] : null;
            if (last is null || last.Count >= Math.Max(1, perCommit) || last[0].Folder != r.Folder || last[0].File != r.File)
            {
                groups.Add([r]);
            }
            else
            {
                last.Add(r);
            }
        }

        return groups;
    }
}
