using System.Diagnostics;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// Commits every corpus record to a fresh archive on the real disk as its own CommitBatch: kind and
/// format = corpus folder, source = file name, source id = record index, the record's exact bytes as raw,
/// and one root node (role "source") whose text is every JSON string value of the record.
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
        var frameBytes = new Dictionary<string, long>(StringComparer.Ordinal);
        var ids = new List<(string, string)>(records.Count);
        var times = new List<TimeSpan>(records.Count);
        long buildTicks = 0;
        long commitTicks = 0;
        long rawBytes = 0;
        using (var archive = Archive.Init(options))
        {
            counters.Reset();
            foreach (var r in records)
            {
                var t0 = Stopwatch.GetTimestamp();
                var batch = BuildBatch(r, settings.IncludeNode, out var conversationId, out var rawId);
                var t1 = Stopwatch.GetTimestamp();
                var result = archive.Commit(batch);
                var t2 = Stopwatch.GetTimestamp();
                buildTicks += t1 - t0;
                commitTicks += t2 - t1;
                times.Add(Stopwatch.GetElapsedTime(t1, t2));
                rawBytes += r.Bytes.Length;
                frameBytes[r.Folder] = frameBytes.GetValueOrDefault(r.Folder) + result.StoredBytes;
                ids.Add((conversationId, rawId));
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
                RawBytes = rawBytes,
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
    }

    /// <summary>The batch for one record (see the class summary).</summary>
    public static CommitBatch BuildBatch(CorpusRecord r, bool includeNode, out string conversationId, out string rawId)
    {
        var batch = new CommitBatch(r.Folder);
        var part = batch.AddConversation(new ConversationRecord
        {
            Format = r.Folder,
            Source = r.File,
            SourceId = r.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        rawId = part.AddRaw(r.Bytes);
        if (includeNode)
        {
            part.AddNode(StandInNode(r));
        }

        conversationId = part.Id;
        return batch;
    }

    /// <summary>The stand-in normalized form until the importers exist: one root node holding every string value.</summary>
    public static Node StandInNode(CorpusRecord r) => new() { Role = "source", Content = [new TextBlock(r.Text)] };
}
