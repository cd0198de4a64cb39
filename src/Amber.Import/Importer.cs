using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Import;

/// <summary>
/// Runs an import: expands paths, detects each file's format, validates the whole file first (a bad file
/// commits nothing), then commits one conversation per commit (group-committed, so fsyncs are shared).
/// Re-importing adds nothing; a newer export merges new messages and branches into existing trees.
/// </summary>
public sealed class Importer(Archive archive, IReadOnlyList<IConversationFormat> formats, ImportOptions options)
{
    /// <summary>Conversations held in memory between the validation pass and the commit pass; beyond this they wait in an <see cref="ImportSpill"/> file.</summary>
    private const long MaxBufferedRawBytes = 16L << 20;

    /// <summary>
    /// Also at most this many: a normalized conversation costs far more than its raw bytes (its nodes, strings
    /// and ids), so a file of many small conversations held within the byte budget grew without bound.
    /// </summary>
    internal const int MaxBufferedConversations = 4096;

    /// <summary>Managed bytes a normalized node costs beyond its text, for the buffer's estimate.</summary>
    private const long NodeOverheadBytes = 1024;

    public ImportSummary Run(IEnumerable<string> paths, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var summary = new ImportSummary();
        var skippedPaths = new HashSet<string>(StringComparer.Ordinal);
        void Skip(SkippedFile file)
        {
            if (skippedPaths.Add(file.Path))
            {
                summary.Skipped.Add(file);
            }
        }

        foreach (var path in paths)
        {
            IEnumerable<(string Origin, IReadOnlyList<ImportInput> Inputs, IDisposable? Owner, bool Explicit)> groups;
            var errorsBefore = summary.Errors.Count;
            var skippedBefore = summary.Skipped.Count;
            var imported = false;
            try
            {
                groups = Sources.ImportSources.Expand(path, options, Skip, summary.Ignored.Add).ToList();
            }
            catch (ImportException e)
            {
                summary.Errors.Add(e.Message);
                summary.Files.Add(new ImportFileResult(path, "?") { Error = e.Message });
                continue;
            }

            foreach (var (origin, inputs, owner, isExplicit) in groups)
            {
                using (owner)
                {
                    var any = false;
                    foreach (var input in inputs)
                    {
                        IConversationFormat? format;
                        try
                        {
                            format = Choose(input);
                        }
                        catch (Exception e) when (e is ImportException or IOException or InvalidDataException)
                        {
                            var message = e is ImportException ? e.Message : $"{input.Name}: {e.Message}";
                            summary.Errors.Add(message);
                            summary.Files.Add(new ImportFileResult(input.Name, options.Format ?? "?") { Error = message });
                            continue;
                        }

                        if (format is null)
                        {
                            // Never silently: a file named alone is an error, one found in a folder or zip is listed as skipped.
                            var why = Explain(input);
                            if (isExplicit && inputs.Count == 1)
                            {
                                var message = $"{input.Name}: cannot tell which export format this is: {why}. Name one with --format ({string.Join("|", formats.Select(f => f.Name))}).";
                                summary.Errors.Add(message);
                                summary.Files.Add(new ImportFileResult(input.Name, "?") { Error = message });
                            }
                            else
                            {
                                Skip(new SkippedFile(input.Name, "format not recognized: " + why));
                            }

                            continue;
                        }

                        any = imported = true;
                        summary.Files.Add(ImportFile(input, format, summary, progress, ct));
                    }

                    if (!any && isExplicit && inputs.Count != 1)
                    {
                        var message = $"{origin}: no importable file found in it.";
                        summary.Errors.Add(message);
                        summary.Files.Add(new ImportFileResult(origin, "?") { Error = message });
                    }
                }
            }

            // A folder that gave nothing says so (and fails), rather than importing "0 conversations" quietly.
            if (!imported && summary.Errors.Count == errorsBefore && Directory.Exists(path))
            {
                var skipped = summary.Skipped.Count - skippedBefore;
                var message = $"{path}: no importable file found in it ({skipped:N0} skipped, {summary.Ignored.Count:N0} not conversation files; see the lists above).";
                summary.Errors.Add(message);
                summary.Files.Add(new ImportFileResult(path, "?") { Error = message });
            }
        }

        return summary;
    }

    private static bool Fits(ImportInput input, IConversationFormat format)
    {
        try
        {
            return Formats.FormatRegistry.Detect(input, [format]) is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string Explain(ImportInput input)
    {
        try
        {
            return Formats.FormatDiagnosis.Explain(input, formats);
        }
        catch (IOException e)
        {
            return "it could not be read: " + e.Message;
        }
    }

    private IConversationFormat? Choose(ImportInput input)
    {
        if (options.Format is { } name && name != "auto")
        {
            return formats.FirstOrDefault(f => f.Name == name) ?? throw new ImportException($"unknown format \"{name}\"; known: {string.Join(", ", formats.Select(f => f.Name))}");
        }

        return Formats.FormatRegistry.Detect(input, formats);
    }

    /// <summary>Info bytes allowed per packed commit, well under the log entry limit.</summary>
    private const long PackInfoBudget = 40_000;

    private ImportFileResult ImportFile(ImportInput input, IConversationFormat format, ImportSummary summary, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var result = new ImportFileResult(input.Name, format.Name);

        // Pass 1: read and normalize everything; any error rejects the whole file before a byte is committed.
        var buffered = new List<(ImportedConversation Conversation, IReadOnlyList<CanonicalNode> Nodes)>();
        long bufferedBytes = 0;
        var overflow = false;
        using var spill = new SpillHolder();
        var counts = (Conversations: 0, Nodes: 0, Instances: 0, Raw: 0L);
        try
        {
            foreach (var c in format.Read(input, ct))
            {
                var canonical = CanonicalNodes(c);
                CheckReferences(input, c, canonical);
                counts.Conversations++;
                counts.Nodes += c.Nodes.Count;
                counts.Instances += CountLeaves(c.Nodes, canonical.Select(n => n.Id).ToList());
                counts.Raw += c.Raw.Length;
                foreach (var note in c.Notes)
                {
                    result.Notes.Add(note);
                }

                InferredModelsInMeta(c, result.Notes);
                if (!overflow)
                {
                    bufferedBytes += (2 * c.Raw.Length) + (NodeOverheadBytes * c.Nodes.Count);
                    bufferedBytes += c.Blobs.Sum(b => (long)b.Length) + c.Companions.Sum(b => (long)b.Length);
                    if (bufferedBytes > MaxBufferedRawBytes || buffered.Count >= MaxBufferedConversations)
                    {
                        // Too much to hold: from here the checked conversations go to disk in their prepared form.
                        overflow = true;
                        spill.File = ImportSpill.Create();
                        foreach (var (held, heldNodes) in buffered)
                        {
                            spill.File.Add(held, heldNodes);
                        }

                        buffered = [];
                    }
                    else
                    {
                        buffered.Add((c, canonical));
                    }
                }

                if (overflow)
                {
                    spill.File!.Add(c, canonical);
                }

                progress?.Report(new ImportProgress(input.Name, counts.Raw, input.Length * 2, 0));
            }
        }
        catch (Exception e) when (e is ImportException or FormatException or InvalidOperationException or IOException or System.Text.Json.JsonException or ArgumentException or InvalidDataException or Amber.Core.Json.CanonicalJsonException)
        {
            var message = e is ImportException ? e.Message : $"{input.Name}: {e.Message}";
            if (options.Format is { } forced && forced != "auto" && !Fits(input, format))
            {
                // Named with --format on a file of another shape: say what shape that format reads.
                message += " " + Formats.FormatDiagnosis.Expects(format);
            }

            result.Error = message;
            result.Notes.Clear();
            summary.Errors.Add(message + " Nothing from this file was committed.");
            return result;
        }

        // Pass 2: commit, small conversations packed several to a commit, several commits in flight to share fsyncs.
        var source = spill.File?.ReadAll() ?? buffered;
        var inflight = new Queue<(Task<CommitResult> Task, long Bytes)>();
        long inflightBytes = 0;
        var pack = new List<(ImportedConversation Conversation, IReadOnlyList<CanonicalNode> Nodes)>();
        var packIds = new HashSet<string>(StringComparer.Ordinal);
        long packBytes = 0, packInfo = 0;
        var committed = 0;
        long rawDone = 0;
        try
        {
            void Flush()
            {
                if (pack.Count == 0)
                {
                    return;
                }

                inflight.Enqueue((archive.CommitAsync(ToBatch(format.Name, pack), ct), packBytes));
                inflightBytes += packBytes;
                pack = [];
                packIds.Clear();
                packBytes = packInfo = 0;

                // A sliding window: the oldest commit is waited for as soon as either limit is reached, so the nodes
                // held by commits not yet written stay bounded while the writer still finds several to group.
                var waited = false;
                while (inflight.Count > 0 && (inflight.Count >= options.CommitConcurrency || inflightBytes >= options.CommitBytesInFlight))
                {
                    var (oldest, bytes) = inflight.Dequeue();
                    inflightBytes -= bytes;
                    committed += Complete(oldest, result);
                    waited = true;
                }

                if (waited)
                {
                    progress?.Report(new ImportProgress(input.Name, counts.Raw + rawDone, counts.Raw * 2, committed));
                }
            }

            foreach (var (c, canonical) in source)
            {
                var size = c.Raw.Length + c.Blobs.Sum(b => (long)b.Length);
                var info = InfoEstimate(c);
                if (pack.Count > 0 && (packBytes + size > options.PackBytes || pack.Count >= options.PackConversations || packInfo + info > PackInfoBudget || packIds.Contains(c.Record.Id)))
                {
                    Flush();
                }

                pack.Add((c, canonical));
                packIds.Add(c.Record.Id);
                packBytes += size;
                packInfo += info;
                rawDone += c.Raw.Length;
            }

            Flush();
            committed += Drain(inflight, result);
            progress?.Report(new ImportProgress(input.Name, counts.Raw * 2, counts.Raw * 2, committed));
        }
        catch (Exception e) when (e is ArgumentException or ImportException or IOException or FormatException or InvalidOperationException or Amber.Core.Json.CanonicalJsonException)
        {
            // A commit refused its batch (or the disk failed): what was acknowledged stays; report the rest.
            Drain(inflight, result, swallow: true);
            result.Error = $"{input.Name}: {e.Message}";
            summary.Errors.Add(result.Error);
        }

        result.Conversations = counts.Conversations;
        result.Nodes = counts.Nodes;
        result.Instances = counts.Instances;
        result.RawBytes = counts.Raw;
        return result;
    }

    /// <summary>The conversation's nodes with their canonical bytes: the format's own when it computed them for these very nodes, else computed here once.</summary>
    private static IReadOnlyList<CanonicalNode> CanonicalNodes(ImportedConversation c)
    {
        if (c.Canonical is { } given && given.Count == c.Nodes.Count && given.Select((n, i) => ReferenceEquals(n.Node, c.Nodes[i])).All(same => same))
        {
            return given;
        }

        return c.Nodes.Select(CanonicalNode.Of).ToList();
    }

    /// <summary>The spill file of one file's import, if it needed one; disposed (deleted) when the file is done.</summary>
    private sealed class SpillHolder : IDisposable
    {
        public ImportSpill? File { get; set; }

        public void Dispose() => File?.Dispose();
    }

    /// <summary>Everything a conversation's nodes name must be in it or in the archive, so the commit pass cannot fail half way.</summary>
    private void CheckReferences(ImportInput input, ImportedConversation c, IReadOnlyList<CanonicalNode> canonical)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        var blobs = c.Blobs.Select(b => Amber.Core.Hashing.ContentId.Of(b.Span)).ToHashSet(StringComparer.Ordinal);
        var models = c.Models.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        try
        {
            // The commit stores the record in canonical form: a record without one (a number past the double range in its
            // meta) must be refused here, before any conversation of the file is committed.
            _ = CanonicalJson.Canonicalize(c.Record.ToJson());
        }
        catch (CanonicalJsonException e)
        {
            throw ImportException.At(input, $"conversation {c.Record.SourceId}", "its record has no canonical JSON form: " + e.Message, e);
        }

        foreach (var (n, bytes, id) in canonical.Select(p => (p.Node, p.Bytes, p.Id)))
        {
            var where = $"conversation {c.Record.SourceId}";
            if (n.Parent is not null && !nodes.Contains(n.Parent) && !archive.ContainsNode(n.Parent))
            {
                throw ImportException.At(input, where, $"a {n.Role} message names parent {n.Parent}, which is neither before it nor in the archive (importer bug?)");
            }

            if (n.Generation is { } g && !models.Contains(g.Model) && !archive.ContainsModel(g.Model))
            {
                throw ImportException.At(input, where, $"a message names model {g.Model}, which the importer did not supply");
            }

            foreach (var b in n.BlobReferences())
            {
                if (!blobs.Contains(b.Blob) && !archive.ContainsBlob(b.Blob))
                {
                    throw ImportException.At(input, where, $"a message names blob {b.Blob}, which the importer did not supply");
                }
            }

            // One message is capped: readers hold a message whole (and JSON writers refuse a string over ~166 MB).
            if (bytes.Length > Amber.Core.Json.JsonLimits.MaxNodeBytes)
            {
                throw ImportException.At(input, where, $"a {n.Role} message is {bytes.Length:N0} bytes, over the limit of {Amber.Core.Json.JsonLimits.MaxNodeBytes >> 20} MiB for one message.");
            }

            nodes.Add(id);
        }
    }

    /// <summary>Bytes a conversation adds to its commit's info record (the log entry, at most 64 KiB): ids, digests, its leaves and raw ids.</summary>
    private static long InfoEstimate(ImportedConversation c) => 256 + (75L * Math.Min(c.Nodes.Count, CommitInfo.MaxLeavesListed)) + 75;

    /// <summary>Waits for the commits in flight; the writer says which conversations each stored first (a file may hold one twice).</summary>
    private static int Drain(Queue<(Task<CommitResult> Task, long Bytes)> inflight, ImportFileResult result, bool swallow = false)
    {
        var done = 0;
        while (inflight.TryDequeue(out var next))
        {
            try
            {
                done += Complete(next.Task, result);
            }
            catch (Exception) when (swallow)
            {
            }
        }

        return done;
    }

    /// <summary>Waits for one commit and counts what it stored; its conversations count as committed.</summary>
    private static int Complete(Task<CommitResult> task, ImportFileResult result)
    {
        // Blocks on the task's wait handle: Task.Wait and GetResult spin first, and the spinning took CPU from the
        // writer and the indexer for every commit the import waited for (BENCHMARKS §35).
        if (!task.IsCompleted)
        {
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
        }

        var r = task.GetAwaiter().GetResult();
        result.NewNodes += r.NewNodes;
        result.NewConversations += r.NewConversations.Count;
        return r.Conversations.Count;
    }

    private static CommitBatch ToBatch(string kind, IReadOnlyList<(ImportedConversation Conversation, IReadOnlyList<CanonicalNode> Nodes)> conversations)
    {
        var batch = new CommitBatch(kind);
        foreach (var (c, canonical) in conversations)
        {
            foreach (var m in c.Models)
            {
                batch.AddModel(m);
            }

            foreach (var b in c.Blobs)
            {
                batch.AddBlob(b);
            }

            foreach (var b in c.Companions)
            {
                batch.AddBlob(b);
            }

            var part = batch.AddConversation(c.Record);
            foreach (var n in canonical)
            {
                part.AddNode(n);
            }

            part.AddRaw(c.Raw);
        }

        return batch;
    }

    /// <summary>Leaves of the source tree: nodes no other node names as parent.</summary>
    public static int CountLeaves(IReadOnlyList<Node> nodes) => CountLeaves(nodes, nodes.Select(n => n.ComputeId()).ToList());

    /// <summary>
    /// The chat-app formats mark a reply credited a model its source states elsewhere (the chat's, the request's, the
    /// prompt's settings) with <c>meta.model_inferred</c> naming where from; each such reply is counted as an inferred model,
    /// so every format's inferences reach the summary through one rule.
    /// </summary>
    private static void InferredModelsInMeta(ImportedConversation c, ImportNoteCounts notes)
    {
        Dictionary<string, ModelReference>? byId = null; // a model's id is a digest: computed once a conversation, and only if needed
        foreach (var n in c.Nodes)
        {
            if (n.Generation is not null && n.Meta?["model_inferred"] is System.Text.Json.Nodes.JsonValue from && from.TryGetValue<string>(out var where))
            {
                byId ??= c.Models.Select(m => (m.Id, Model: m)).DistinctBy(p => p.Id).ToDictionary(p => p.Id, p => p.Model, StringComparer.Ordinal);
                notes.Add(new ImportNote(ImportNoteKind.InferredModel, $"{byId.GetValueOrDefault(n.Generation.Model)?.Requested ?? "a model"} from {where}"));
            }
        }
    }

    private static int CountLeaves(IReadOnlyList<Node> nodes, IReadOnlyList<string> ids)
    {
        var parents = new HashSet<string>(nodes.Where(n => n.Parent is not null).Select(n => n.Parent!), StringComparer.Ordinal);
        return ids.Distinct(StringComparer.Ordinal).Count(id => !parents.Contains(id));
    }
}
