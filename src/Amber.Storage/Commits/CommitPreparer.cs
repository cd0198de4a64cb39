using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Storage.Catalogue;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Segments;

namespace Amber.Storage.Commits;

/// <summary>
/// The prepare step of the commit pipeline: validates a batch against the archive (this group, then the acknowledged
/// commits not yet indexed, then the index), leaves out what the archive already holds, and builds the commit payload
/// and its info record, which <see cref="FrameEncoder"/> compresses into a frame. In memory only; writer thread only.
/// </summary>
internal sealed class CommitPreparer(ArchiveOptions options, SegmentStore segments, ArchiveCatalogue catalogue, FrameEncoder encoder) : IDisposable
{
    private ArrayBufferWriter<byte> payloadBuffer = new(64 << 10); // reused for each commit's payload (writer thread only)
    private IndexLookups? lookups;

    /// <summary>Called before each group: the lookups follow the index when a rebuild has replaced it.</summary>
    public void BeginGroup()
    {
        if (lookups?.Index != catalogue.Index)
        {
            lookups?.Dispose();
            lookups = new IndexLookups(catalogue.Index);
        }
    }

    /// <summary>
    /// In an encrypted archive, gives every conversation of a group's batches its data key before any is encoded
    /// (encryption.md §4.1): a held conversation's is read, a new one takes a key made ahead. A conversation is held
    /// when an acknowledged commit or the index has it (called after <see cref="BeginGroup"/>).
    /// </summary>
    public void PrepareKeys(IEnumerable<CommitBatch> batches)
        => segments.ContentKeys?.PrepareForWriting(batches.SelectMany(b => b.Conversations.Select(c => (c.Id, b.Tenant))),
            id => catalogue.Unindexed.HasConversation(id) || lookups!.ConversationExists(id));

    /// <summary>Validates a batch against the archive and encodes it into a frame.</summary>
    public PreparedCommit Prepare(CommitBatch batch, long sequence, GroupIds ids)
    {
        var (nodes, blobs, models) = (ids.Nodes, ids.Blobs, ids.Models);
        if (batch.IsEmpty)
        {
            throw new ArgumentException("The batch is empty.", nameof(batch));
        }

        // Each id is looked up in this group, then in the acknowledged groups the indexer has not committed yet, then in
        // the index: in that order, a group the indexer finishes meanwhile is still found (UnindexedCommits).
        var pending = catalogue.Unindexed;
        var idx = lookups!;
        bool StoredNode(string id) => pending.HasNode(id) || idx.NodeExists(id);
        bool StoredBlob(string id) => pending.HasBlob(id) || idx.BlobExists(id);
        bool StoredModel(string id) => pending.HasModel(id) || idx.ModelExists(id);
        bool HaveModel(string id) => models.Contains(id) || batch.Models.ContainsKey(id) || StoredModel(id);
        bool HaveBlob(string id) => blobs.Contains(id) || batch.Blobs.ContainsKey(id) || StoredBlob(id);
        var unindexed = new UnindexedCommits.Group { Commits = 1 };

        var payload = payloadBuffer;
        payload.ResetWrittenCount();
        var entries = new List<(EntryType Type, byte[] Prefix, ReadOnlyMemory<byte> Body, string? Owner)>();
        var owners = segments.ContentKeys is null ? null : new ContentOwners(batch); // an encrypted archive: each entry's block
        var external = new List<(string Hex, ReadOnlyMemory<byte> Bytes)>();
        var newBlobIds = new List<string>();
        foreach (var (id, bytes) in batch.Blobs)
        {
            if (blobs.Contains(id) || StoredBlob(id))
            {
                continue;
            }

            ids.Add(blobs, id);
            newBlobIds.Add(id);
            unindexed.Blobs.Add(id);
            var digest = ContentId.ToDigest(id);
            if (bytes.Length >= options.ExternalBlobThreshold && owners is null) // encrypted blobs stay inside their block
            {
                var ext = new byte[40];
                digest.CopyTo(ext, 0);
                BinaryPrimitives.WriteInt64LittleEndian(ext.AsSpan(32), bytes.Length);
                entries.Add((EntryType.ExternalBlob, ext, ReadOnlyMemory<byte>.Empty, null));
                external.Add((SegmentStore.HexOf(id), bytes));
            }
            else
            {
                entries.Add((EntryType.Blob, digest, bytes, owners?.Blob(id)));
            }
        }

        var newModels = new List<string>();
        foreach (var (id, model) in batch.Models)
        {
            if (models.Contains(id) || StoredModel(id))
            {
                continue;
            }

            ids.Add(models, id);
            newModels.Add(id);
            unindexed.Models.Add(id);
            entries.Add((EntryType.Model, [], CanonicalJson.Canonicalize(model.ToJson()), null));
        }

        var parents = batch.Nodes.ToDictionary(n => n.Id, n => n.Node.Parent, StringComparer.Ordinal);
        var infoConversations = new JsonArray();
        var newConversations = new List<string>();
        foreach (var part in batch.Conversations)
        {
            var record = CanonicalJson.Canonicalize(part.Record.ToJson());
            if (!ids.Conversations.Contains(part.Id) && !pending.HasConversation(part.Id) && !idx.ConversationExists(part.Id))
            {
                newConversations.Add(part.Id);
            }

            ids.Add(ids.Conversations, part.Id);
            entries.Add((EntryType.Conversation, [], record, owners is null ? null : part.Id));
            unindexed.AddConversation(part.Id, record, part.NodeIds);
            entries.Add((EntryType.Membership, [], CanonicalJson.Canonicalize(CommitInfo.Membership(part.Id, part.NodeIds)), owners is null ? null : part.Id));
            var leaves = CommitInfo.Leaves(part.NodeIds.Select(n => (n, parents.GetValueOrDefault(n))).ToList());
            infoConversations.Add(CommitInfo.Conversation(part.Id, part.NodeIds, leaves, part.Raw));
        }

        var newNodes = 0;
        foreach (var (id, node, bytes) in batch.Nodes)
        {
            if (node.Parent is not null && !nodes.Contains(node.Parent) && !StoredNode(node.Parent))
            {
                throw new ArgumentException($"node {id}: its parent {node.Parent} is neither in this commit (added before it) nor in the archive.");
            }

            if (node.Generation is { } g && !HaveModel(g.Model))
            {
                throw new ArgumentException($"node {id}: its model reference {g.Model} is neither in this commit nor in the archive.");
            }

            foreach (var blobRef in node.BlobReferences())
            {
                if (!HaveBlob(blobRef.Blob))
                {
                    throw new ArgumentException($"node {id}: blob {blobRef.Blob} is neither in this commit nor in the archive.");
                }
            }

            if (node.Generation?.State is { } state && !HaveBlob(state))
            {
                throw new ArgumentException($"node {id}: state blob {state} is neither in this commit nor in the archive.");
            }

            if (nodes.Contains(id) || StoredNode(id))
            {
                continue;
            }

            ids.Add(nodes, id);
            newNodes++;
            unindexed.AddNode(id, node, bytes);
            entries.Add((EntryType.Node, [], bytes, owners?.Node(id)));
        }

        var newAnnotations = new List<string>();
        foreach (var (id, annotation) in batch.Annotations)
        {
            var target = annotation.Target;
            if (!nodes.Contains(target) && !StoredNode(target) && !ids.Conversations.Contains(target) && !pending.HasConversation(target) && !idx.ConversationExists(target))
            {
                throw new ArgumentException($"annotation {id}: its target {target} is neither a node nor a conversation in this commit or the archive.");
            }

            if (ids.Annotations.Contains(id) || pending.HasAnnotation(id) || idx.AnnotationExists(id))
            {
                continue;
            }

            ids.Add(ids.Annotations, id);
            newAnnotations.Add(id);
            unindexed.Annotations.Add(id);
            entries.Add((EntryType.Annotation, [], CanonicalJson.Canonicalize(annotation.ToJson()), owners?.Annotation(target)));
        }

        // Nothing new at all (a re-import): acknowledge without writing, so repeating an import stores nothing.
        if (newNodes == 0 && newBlobIds.Count == 0 && newModels.Count == 0 && newAnnotations.Count == 0
            && batch.Conversations.All(c => HoldsAlready(c)))
        {
            return new PreparedCommit
            {
                Sequence = sequence, // never read: nothing is written for an unchanged batch
                InfoId = "",
                InfoBytes = [],
                Frame = [],
                Decoded = [],
                ExternalBlobs = [],
                NewNodes = 0,
                NewBlobs = 0,
                Conversations = batch.Conversations.Select(c => c.Id).ToList(),
                Unchanged = true,
            };
        }

        var time = Amber.Core.Time.Timestamps.FormatCommitTime(batch.Time ?? options.TimeProvider.GetUtcNow());
        var info = new JsonObject
        {
            ["type"] = "amber.commit/v1",
            ["seq"] = sequence,
            ["time"] = time,
            ["kind"] = batch.Kind,
            ["conversations"] = infoConversations,
            ["blob_count"] = newBlobIds.Count,
            ["blobs_sha256"] = CommitInfo.NodesDigest(newBlobIds),
            ["models"] = new JsonArray(newModels.Select(m => (JsonNode)m).ToArray()),
        };
        if (batch.Tenant is not null)
        {
            info["tenant"] = batch.Tenant;
        }

        if (newAnnotations.Count > 0)
        {
            info["annotations"] = new JsonArray(newAnnotations.Select(a => (JsonNode)a).ToArray());
        }

        var infoBytes = CanonicalJson.Canonicalize(info);
        if (infoBytes.Length > CommitInfo.MaxBytes)
        {
            throw new ArgumentException($"The commit's info record would be {infoBytes.Length} bytes (the log entry limit is {CommitInfo.MaxBytes}); commit fewer conversations at once.", nameof(batch));
        }

        CommitPayload.WriteEntry(payload, EntryType.Info, infoBytes);
        foreach (var (type, prefix, body, _) in entries.Where(e => e.Owner is null))
        {
            CommitPayload.WriteEntry(payload, type, prefix, body.Span);
        }

        // An encrypted archive's entries follow the clear ones grouped by conversation, one block each (SealedBlocks).
        var clearLength = payload.WrittenCount;
        var blocks = new List<(string Conversation, int Start, int Length)>();
        foreach (var group in entries.Where(e => e.Owner is not null).GroupBy(e => e.Owner!, StringComparer.Ordinal))
        {
            var start = payload.WrittenCount;
            foreach (var (type, prefix, body, _) in group)
            {
                CommitPayload.WriteEntry(payload, type, prefix, body.Span);
            }

            blocks.Add((group.Key, start, payload.WrittenCount - start));
        }

        var decoded = payload.WrittenSpan.ToArray();
        if (payload.Capacity > 4 << 20)
        {
            payloadBuffer = new ArrayBufferWriter<byte>(64 << 10); // do not hold on to a rare huge commit's buffer
        }

        if (decoded.Length > RecordFrame.MaxBodyLength - (1 << 20))
        {
            throw new ArgumentException($"The commit is {decoded.Length} bytes before compression; split it (large content belongs in blobs, which go to their own files).", nameof(batch));
        }

        var (frame, dictFrame) = owners is null ? encoder.Encode(batch.Kind, decoded) : (encoder.EncodeSealed(decoded, clearLength, blocks, batch.Tenant), null);
        unindexed.Bytes = decoded.Length;
        return new PreparedCommit
        {
            Sequence = sequence,
            InfoId = ContentId.Of(infoBytes),
            InfoBytes = infoBytes,
            Frame = frame,
            Decoded = decoded,
            DictionaryFrame = dictFrame,
            ExternalBlobs = external,
            Unindexed = unindexed,
            NewNodes = newNodes,
            NewBlobs = newBlobIds.Count,
            Conversations = batch.Conversations.Select(c => c.Id).ToList(),
            NewConversations = newConversations,
        };
    }

    /// <summary>True if the archive already holds this conversation part exactly (a repeated import).</summary>
    private bool HoldsAlready(CommitBatch.ConversationPart part)
    {
        if (catalogue.Unindexed.HasConversation(part.Id))
        {
            // Rare (the same conversation again within moments): let the indexer catch up and compare against the index.
            catalogue.IndexProgress.WaitForAcknowledged();
        }

        return lookups!.HoldsAlready(part.Id, CanonicalJson.Canonicalize(part.Record.ToJson()), part.NodeIds, part.Raw,
            at => segments.ReadEntry(at.Segment, at.Offset, at.EntryOffset, at.EntryLength));
    }

    public void Dispose() => lookups?.Dispose();
}
