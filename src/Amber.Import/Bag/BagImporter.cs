using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Storage;

namespace Amber.Import.Bag;

/// <summary>
/// Imports a bag written by <c>amber export --bagit</c>. Everything is checked first (<see cref="BagContents"/>), and the
/// target archive must hold exactly the log the bag continues (nothing for a full bag); only then are the entries
/// committed again, in order, each with its original time, kind and tenant, so every rebuilt entry is byte-identical
/// and the rebuilt log has the original checkpoint's root: the original receipts keep verifying against it with the
/// original verifier key. A tenant's bag is committed as new entries (its commits are not the whole log).
/// </summary>
public static class BagImporter
{
    /// <summary>True when <paramref name="path"/> is a folder with a bagit.txt, which <c>amber import</c> then reads as a bag.</summary>
    public static bool IsBag(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, "bagit.txt"));

    public static async Task<BagImportResult> ImportAsync(Archive archive, string bag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var contents = BagContents.Read(bag);
        var sameLog = contents.Tenant is null;
        var size = contents.Checkpoint.Size;
        if (sameLog && archive.Log.Size >= size && archive.Log.Root(size).AsSpan().SequenceEqual(contents.Checkpoint.RootHash.Span))
        {
            // The archive already holds this log (the bag was imported before): importing again adds nothing, like any re-import.
            return Result(contents, commits: 0, sameLog);
        }

        if (sameLog)
        {
            CheckTarget(archive, contents);
        }

        // Commits are queued ahead (the writer groups them under one fsync) and checked in order as they complete.
        var inFlight = new Queue<(BagCommit Commit, Task<CommitResult> Task)>();
        foreach (var commit in contents.Commits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            inFlight.Enqueue((commit, archive.CommitAsync(Batch(archive, contents, commit, sameLog), CancellationToken.None)));
            if (inFlight.Count >= 64)
            {
                await Check(inFlight.Dequeue(), sameLog).ConfigureAwait(false);
            }
        }

        while (inFlight.Count > 0)
        {
            await Check(inFlight.Dequeue(), sameLog).ConfigureAwait(false);
        }

        if (sameLog && !archive.Log.Root(contents.Checkpoint.Size).AsSpan().SequenceEqual(contents.Checkpoint.RootHash.Span))
        {
            throw new InvalidOperationException($"The rebuilt log's root at size {contents.Checkpoint.Size} is not the bag's signed root.");
        }

        return Result(contents, contents.Commits.Count, sameLog);
    }

    private static BagImportResult Result(BagContents contents, int commits, bool sameLog)
    {
        return new BagImportResult
        {
            Commits = commits,
            Conversations = contents.ConversationFiles,
            Nodes = contents.Nodes.Count,
            Blobs = contents.Blobs.Count,
            TreeSize = contents.Checkpoint.Size,
            Origin = contents.Key.Name,
            SameLog = sameLog,
        };
    }

    private static void CheckTarget(Archive archive, BagContents contents)
    {
        var size = archive.Log.Size;
        if (size != contents.SinceSize || (size > 0 && !archive.Log.Root(size).AsSpan().SequenceEqual(contents.SinceRoot)))
        {
            throw new BagRefusedException("bag-info.txt", contents.SinceSize == 0
                ? $"the archive already holds {size} commits; import a full bag into a new archive."
                : $"the bag continues the log at size {contents.SinceSize} (Amber-Since-Root), but the archive's log has {size} entries{(size == contents.SinceSize ? " with another root" : "")}; import the earlier bags first.");
        }
    }

    private static async Task Check((BagCommit Commit, Task<CommitResult> Task) pending, bool sameLog)
    {
        var result = await pending.Task.ConfigureAwait(false);
        if (sameLog && (result.Sequence != pending.Commit.Seq || result.InfoId != ContentId.Of(pending.Commit.Entry)))
        {
            throw new InvalidOperationException($"commit {pending.Commit.Seq} was rebuilt as commit {result.Sequence} with another log entry; the archive now holds the commits before it.");
        }
    }

    private static CommitBatch Batch(Archive archive, BagContents bag, BagCommit commit, bool sameLog)
    {
        var batch = new CommitBatch(commit.Info["kind"]!.GetValue<string>())
        {
            Tenant = commit.Info["tenant"]?.GetValue<string>(),
            Time = sameLog ? Timestamps.Parse(commit.Info["time"]!.GetValue<string>()) : null,
        };

        // The order of blobs, models and annotations is the entry's: the preparer lists what is new in batch order.
        var bytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var id in commit.Blobs)
        {
            batch.AddBlob(bytes[id] = bag.Blob(id));
        }

        foreach (var id in commit.Models)
        {
            batch.AddModel(ModelReference.FromJson((JsonObject)JsonNode.Parse(bag.Models[id])!));
        }

        foreach (var (_, record, nodes, raw) in commit.Conversations)
        {
            var part = batch.AddConversation(ConversationRecord.FromJson(record));
            foreach (var id in nodes)
            {
                var node = CanonicalNode.FromCanonicalBytes(bag.Nodes[id]);
                if (!sameLog)
                {
                    AddReferenced(archive, bag, batch, node.Node);
                }

                part.AddNode(node);
            }

            foreach (var id in raw)
            {
                part.AddRaw(bytes.GetValueOrDefault(id) ?? (archive.ContainsBlob(id) ? archive.GetBlob(id)! : bag.Blob(id)));
            }
        }

        foreach (var id in commit.Annotations)
        {
            batch.AddAnnotation(Annotation.FromJson((JsonObject)JsonNode.Parse(bag.Annotations[id])!));
        }

        return batch;
    }

    /// <summary>A tenant's bag: what its nodes share with commits outside the bag comes from the bag's files.</summary>
    private static void AddReferenced(Archive archive, BagContents bag, CommitBatch batch, Node node)
    {
        if (node.Generation is { } g && !archive.ContainsModel(g.Model) && bag.Models.TryGetValue(g.Model, out var model))
        {
            batch.AddModel(ModelReference.FromJson((JsonObject)JsonNode.Parse(model)!));
        }

        foreach (var id in node.BlobReferences().Select(b => b.Blob).Append(node.Generation?.State).OfType<string>())
        {
            if (!archive.ContainsBlob(id) && bag.Blobs.Contains(id))
            {
                batch.AddBlob(bag.Blob(id));
            }
        }
    }
}
