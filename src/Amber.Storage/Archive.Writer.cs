using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using Amber.Storage.Index;
using ZstdSharp;

namespace Amber.Storage;

public sealed partial class Archive
{
    /// <summary>Makes a batch durable: it is acknowledged (the task completes) only after fsync.</summary>
    public Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var w = writer ?? throw new InvalidOperationException($"The archive at {options.Directory} is open read-only (another process holds the writer lock).");
        return w.Enqueue(batch, cancellationToken);
    }

    /// <summary>Signs a checkpoint over every commit acknowledged so far now, rather than at the next interval.</summary>
    public Task EnsureCheckpointAsync() => writer?.EnsureCheckpoint() ?? Task.CompletedTask;

    /// <summary>Commits synchronously (CLI and tests).</summary>
    public CommitResult Commit(CommitBatch batch) => CommitAsync(batch).GetAwaiter().GetResult();

    /// <summary>
    /// The single writer. Concurrent commits queue up; the loop takes everything queued, writes the
    /// frames, fsyncs once (group commit) and acknowledges them together, then hands the group to the
    /// <see cref="Indexer"/> and goes on with the next one.
    /// </summary>
    internal sealed class Writer : IDisposable, IAsyncDisposable
    {
        private readonly Archive archive;
        private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task loop;
        private readonly ManualResetEventSlim arrived = new(false); // set by whoever queues, by the checkpoint timer and by Dispose
        private ITimer? checkpointTimer; // writer thread only
        private readonly Dictionary<string, List<byte[]>> samples = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> sampleBytes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> trainingRetryAt = new(StringComparer.Ordinal);
        private readonly Compression compression;
        private readonly Dictionary<int, Compressor> compressors = [];
        private readonly Indexer indexer;
        private ArrayBufferWriter<byte> payloadBuffer = new(64 << 10); // reused for each commit's payload (writer thread only)
        private IndexLookups? lookups;
        private IStorageFile segmentFile;
        private Exception? poisoned;
        private DateTimeOffset lastCheckpointAt;
        private int queued;
        private long lastCheckpointSize;
        private long seq;

        public Writer(Archive archive, SegmentState state)
        {
            this.archive = archive;
            State = state;
            segmentFile = archive.fs.OpenWrite(archive.paths.Segment(state.Segment), create: false);
            compression = new Compression(archive.SnapshotDictionaries());
            seq = archive.Log.Size; // authenticated against the segments on open (LogAuthenticator)
            lastCheckpointSize = archive.Log.LatestCheckpointSize;
            archive.Unindexed.Start(seq); // the index was caught up with the segments when the archive opened
            indexer = new Indexer(archive);
            // A thread of its own: the loop blocks on writes and fsyncs, which must not hold a thread-pool thread that
            // request handling (the gateway's, say) needs.
            loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public SegmentState State { get; private set; }

        /// <summary>Waits until the indexer has done with every group handed to it so far.</summary>
        public void WaitForIndexer() => indexer.WaitIdle();

        /// <summary>At most this many commits, or decoded bytes, wait for the indexer before the writer waits for it.</summary>
        private const int MaxUnindexedCommits = 2048;
        private const long MaxUnindexedBytes = 128L << 20;

        public Task<CommitResult> Enqueue(CommitBatch batch, CancellationToken ct)
        {
            if ((poisoned ?? indexer.Failure) is { } failed)
            {
                return Task.FromException<CommitResult>(new IOException("The archive writer failed earlier; reopen the archive to recover.", failed));
            }

            var p = new Pending(batch, ct);
            Interlocked.Increment(ref queued);
            if (!queue.Writer.TryWrite(p))
            {
                return Task.FromException<CommitResult>(new ObjectDisposedException(nameof(Archive)));
            }

            arrived.Set();
            return p.Completion.Task;
        }

        /// <summary>Queues a request to sign a checkpoint over everything committed so far, now.</summary>
        public Task<CommitResult> EnsureCheckpoint()
        {
            var p = new Pending(null, CancellationToken.None);
            Interlocked.Increment(ref queued);
            if (!queue.Writer.TryWrite(p))
            {
                return Task.FromException<CommitResult>(new ObjectDisposedException(nameof(Archive)));
            }

            arrived.Set();
            return p.Completion.Task;
        }

        private void Run()
        {
            var group = new List<Pending>();
            while (WaitForWork(out var fromTimer))
            {
                group.Clear();
                if (fromTimer)
                {
                    group.Add(new Pending(null, CancellationToken.None));
                    Interlocked.Increment(ref queued);
                    ProcessGroup(group, fromTimer: true);
                    continue;
                }

                while (group.Count < 256 && queue.Reader.TryRead(out var p))
                {
                    group.Add(p);
                    Interlocked.Decrement(ref queued);
                }

                ProcessGroup(group);
            }
        }

        /// <summary>
        /// Blocks until something is queued (true), or the checkpoint interval has passed with log entries that no
        /// checkpoint covers and nothing queued (true, <paramref name="fromTimer"/>: at most one checkpoint per
        /// <see cref="ArchiveOptions.CheckpointInterval"/> under load, and one soon after the load stops), or the queue
        /// is closed and empty (false). The caller that queues sets <see cref="arrived"/> itself, so the writer wakes
        /// without waiting for a thread-pool thread to run a continuation first.
        /// </summary>
        private bool WaitForWork(out bool fromTimer)
        {
            fromTimer = false;
            try
            {
                while (true)
                {
                    arrived.Reset();
                    if (queue.Reader.TryPeek(out _))
                    {
                        return true;
                    }

                    if (queue.Reader.Completion.IsCompleted)
                    {
                        return false;
                    }

                    if (poisoned is null && archive.Log.Size > lastCheckpointSize)
                    {
                        var remaining = archive.options.CheckpointInterval - (archive.options.TimeProvider.GetUtcNow() - lastCheckpointAt);
                        if (remaining <= TimeSpan.Zero)
                        {
                            fromTimer = true;
                            return true;
                        }

                        checkpointTimer ??= archive.options.TimeProvider.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), arrived, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        checkpointTimer.Change(remaining, Timeout.InfiniteTimeSpan);
                    }

                    arrived.Wait();
                }
            }
            finally
            {
                checkpointTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        private void ProcessGroup(List<Pending> group, bool fromTimer = false)
        {
            // Back-pressure: the indexer keeps every group it has not indexed yet in memory.
            archive.Unindexed.WaitUntilBelow(MaxUnindexedCommits, MaxUnindexedBytes);
            archive.WriteGate.Wait();
            try
            {
                ProcessGroupCore(group, fromTimer);
            }
            finally
            {
                archive.WriteGate.Release();
            }
        }

        private void ProcessGroupCore(List<Pending> group, bool fromTimer)
        {
            if (fromTimer)
            {
                Interlocked.Decrement(ref queued);
            }

            var forced = group.Where(p => p.Batch is null).ToList();
            group = group.Where(p => p.Batch is not null).ToList();
            poisoned ??= indexer.Failure; // an index update failed: nothing may be validated against that index any more
            if (poisoned is not null)
            {
                foreach (var p in group.Concat(forced))
                {
                    p.Completion.TrySetException(new IOException("The archive writer failed earlier; reopen the archive to recover.", poisoned));
                }

                return;
            }

            // 1. Validate and encode, in memory. A bad batch fails alone; nothing is written for it.
            if (lookups?.Index != archive.index)
            {
                lookups?.Dispose();
                lookups = new IndexLookups(archive.index);
            }

            var prepared = new List<(Pending Pending, Prepared Frame)>();
            var ids = new GroupIds();
            foreach (var p in group)
            {
                if (p.CancellationToken.IsCancellationRequested)
                {
                    p.Completion.TrySetCanceled(p.CancellationToken);
                    continue;
                }

                try
                {
                    var frame = Prepare(p.Batch!, seq + prepared.Count + 1, ids);
                    ids.Accept();
                    if (frame.Unchanged)
                    {
                        p.Completion.TrySetResult(new CommitResult(0, "", 0, 0, 0, 0, 0, frame.Conversations) { Unchanged = true });
                        continue;
                    }

                    prepared.Add((p, frame));
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or CanonicalJsonException)
                {
                    ids.Rollback();
                    p.Completion.TrySetException(e);
                }
            }

            var wantCheckpoint = forced.Count > 0;
            if (prepared.Count == 0 && !(wantCheckpoint && archive.Log.Size > lastCheckpointSize))
            {
                foreach (var f in forced)
                {
                    f.Completion.TrySetResult(new CommitResult(seq, "", State.Segment, State.End, 0, 0, 0, []) { Unchanged = true });
                }

                return;
            }

            // 2. Write: external blobs (each durable on its own), then the frames, then one fsync.
            var results = new List<(Pending, Prepared, long Offset, uint Segment)>();
            (byte[] Frame, uint Segment, long Offset, Amber.Transparency.Notes.SignedNote Note)? checkpoint = null;
            try
            {
                foreach (var (p, f) in prepared)
                {
                    foreach (var (hex, bytes) in f.ExternalBlobs)
                    {
                        WriteExternalBlob(hex, bytes);
                    }

                    if (f.DictionaryFrame is not null)
                    {
                        Append(f.DictionaryFrame, out var dictSegment, out var dictOffset);
                        f.DictionarySegment = dictSegment;
                        f.DictionaryOffset = dictOffset;
                    }

                    Append(f.Frame, out var seg, out var off);
                    archive.Log.Append(f.InfoBytes);
                    results.Add((p, f, off, seg));
                }

                // A checkpoint rides in the same fsync as the commits it covers, so it never names undurable data.
                if (wantCheckpoint || archive.options.TimeProvider.GetUtcNow() - lastCheckpointAt >= archive.options.CheckpointInterval)
                {
                    checkpoint = WriteCheckpointFrame();
                }

                segmentFile.Sync();
                archive.WriteCheckpoint(new Checkpoint(State.Segment, State.End), sync: false);
            }
            catch (Exception e)
            {
                poisoned = e;
                foreach (var p in prepared.Select(x => x.Pending).Concat(forced))
                {
                    p.Completion.TrySetException(new IOException($"Commit failed while writing to {archive.options.Directory}: {e.Message}", e));
                }

                return;
            }

            seq += results.Count;

            // 3. Durable: acknowledge at once, and hand the group to the indexer. Until the indexer has committed it, the
            // group's content is in archive.Unindexed (added before the acknowledgement), which the writer validates against
            // and a recorder's lookups read; every other index read waits for the indexer (IndexProgress). The acknowledged
            // mark goes before the checkpoint below: a reader that sees anything of this group then waits for its index.
            var unindexed = new UnindexedCommits.Group { LastSequence = seq };
            var frames = new List<Indexer.FrameToIndex>(results.Count + 1);
            foreach (var (_, f, off, seg) in results)
            {
                unindexed.Merge(f.Unindexed!);
                if (f.DictionaryFrame is not null)
                {
                    frames.Add(new Indexer.FrameToIndex(FrameKind.Dictionary, f.DictionarySegment, f.DictionaryOffset, f.DictionaryFrame, null));
                }

                frames.Add(new Indexer.FrameToIndex(FrameKind.Commit, seg, off, f.Frame, f.Decoded));
            }

            if (checkpoint is { } written)
            {
                frames.Add(new Indexer.FrameToIndex(FrameKind.Checkpoint, written.Segment, written.Offset, written.Frame, null));
            }

            unindexed.FrameBytes = frames.Sum(f => (long)f.Frame.Length);
            archive.Unindexed.Add(unindexed);
            archive.IndexProgress.Acknowledged(seq);
            foreach (var (_, f, _, _) in results)
            {
                if (f.DictionaryFrame is not null)
                {
                    // Readers that go by a frame's location rather than the index can decode it as soon as it is acknowledged.
                    var (label, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(f.DictionaryFrame));
                    archive.AddDictionary(Compression.DictionaryIdOf(dict), label, dict);
                }
            }

            if (checkpoint is { } signed)
            {
                // Durable with the group: anything that reads the log's latest checkpoint after the acknowledgement sees it.
                archive.Log.SetLatest(signed.Note);
            }

            indexer.Enqueue(new Indexer.Work(seq, frames, State.Segment, State.End));
            foreach (var (p, f, off, seg) in results)
            {
                p.Completion.TrySetResult(new CommitResult(f.Sequence, f.InfoId, seg, off, f.NewNodes, f.NewBlobs, f.Frame.Length, f.Conversations) { NewConversations = f.NewConversations });
            }

            foreach (var f in forced)
            {
                f.Completion.TrySetResult(new CommitResult(seq, "", State.Segment, State.End, 0, 0, 0, []) { Unchanged = true });
            }
        }

        private (byte[] Frame, uint Segment, long Offset, Amber.Transparency.Notes.SignedNote Note) WriteCheckpointFrame()
        {
            var note = archive.Log.SignCheckpoint();
            var bytes = note.ToBytes();
            var frame = RecordFrame.Encode(FrameKind.Checkpoint, Codec.None, 0, bytes.Length, bytes);
            Append(frame, out var segment, out var offset);
            lastCheckpointAt = archive.options.TimeProvider.GetUtcNow();
            lastCheckpointSize = archive.Log.Size;
            return (frame, segment, offset, note);
        }

        private void Append(byte[] frame, out uint segment, out long offset)
        {
            if (State.End + frame.Length + SegmentFooter.Size > archive.options.SegmentSize && State.End > SegmentHeader.Size)
            {
                Seal();
            }

            segmentFile.Write(State.End, frame);
            segment = State.Segment;
            offset = State.End;
            State = State with { End = State.End + frame.Length };
        }

        /// <summary>Writes the footer (SHA-256 of everything before it), then starts the next segment.</summary>
        private void Seal()
        {
            var name = ArchivePaths.SegmentName(State.Segment);
            // One pass: the header, then every frame, checked and hashed as it is read.
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var header = new byte[SegmentHeader.Size];
            segmentFile.Read(0, header);
            sha.AppendData(header);
            uint frames = 0;
            for (long pos = SegmentHeader.Size; pos < State.End;)
            {
                var step = SegmentScanner.Read(segmentFile, pos, State.End, name);
                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    throw new CorruptArchiveException($"{name} at {pos}: {step.Problem} (while sealing).");
                }

                sha.AppendData(step.Bytes!);
                frames++;
                pos = step.Next;
            }

            var footer = new byte[SegmentFooter.Size];
            new SegmentFooter(State.End, frames, sha.GetHashAndReset()).Write(footer);
            segmentFile.Write(State.End, footer);
            segmentFile.Sync();
            segmentFile.Dispose();
            var next = State.Segment + 1;
            CreateSegmentFile(archive.fs, archive.paths, next, State.ArchiveId, archive.options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            State = new SegmentState(next, SegmentHeader.Size, State.ArchiveId, false);
            segmentFile = archive.fs.OpenWrite(archive.paths.Segment(next), create: false);
            archive.WriteCheckpoint(new Checkpoint(next, SegmentHeader.Size), sync: true);
        }

        private void WriteExternalBlob(string hex, ReadOnlyMemory<byte> bytes)
        {
            var path = archive.paths.BlobFile(hex);
            if (archive.fs.FileExists(path) && ExistingBlobMatches(path, hex))
            {
                return; // left by an earlier commit that never completed, and intact
            }

            var dir = Path.GetDirectoryName(path)!;
            if (!archive.fs.DirectoryExists(dir))
            {
                archive.fs.CreateDirectory(dir);
                archive.fs.SyncDirectory(archive.paths.Blobs);
            }

            var compressed = Compression.Compress(bytes.Span, 3, null);
            AtomicFile.Write(archive.fs, path, compressed);
        }

        private bool ExistingBlobMatches(string path, string hex)
        {
            try
            {
                using var d = new Decompressor();
                return ContentId.Of(d.Unwrap(archive.ReadAll(path))) == ContentId.Prefix + hex;
            }
            catch (ZstdException)
            {
                return false;
            }
        }

        /// <summary>Validates a batch against the archive and encodes it into a frame.</summary>
        private Prepared Prepare(CommitBatch batch, long sequence, GroupIds ids)
        {
            var (nodes, blobs, models) = (ids.Nodes, ids.Blobs, ids.Models);
            if (batch.IsEmpty)
            {
                throw new ArgumentException("The batch is empty.", nameof(batch));
            }

            // Each id is looked up in this group, then in the acknowledged groups the indexer has not committed yet, then in
            // the index: in that order, a group the indexer finishes meanwhile is still found (UnindexedCommits).
            var pending = archive.Unindexed;
            var idx = lookups!;
            bool StoredNode(string id) => pending.HasNode(id) || idx.NodeExists(id);
            bool StoredBlob(string id) => pending.HasBlob(id) || idx.BlobExists(id);
            bool StoredModel(string id) => pending.HasModel(id) || idx.ModelExists(id);
            bool HaveModel(string id) => models.Contains(id) || batch.Models.ContainsKey(id) || StoredModel(id);
            bool HaveBlob(string id) => blobs.Contains(id) || batch.Blobs.ContainsKey(id) || StoredBlob(id);
            var unindexed = new UnindexedCommits.Group { Commits = 1 };

            var payload = payloadBuffer;
            payload.ResetWrittenCount();
            var entries = new List<(EntryType Type, byte[] Prefix, ReadOnlyMemory<byte> Body)>();
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
                if (bytes.Length >= archive.options.ExternalBlobThreshold)
                {
                    var ext = new byte[40];
                    digest.CopyTo(ext, 0);
                    BinaryPrimitives.WriteInt64LittleEndian(ext.AsSpan(32), bytes.Length);
                    entries.Add((EntryType.ExternalBlob, ext, ReadOnlyMemory<byte>.Empty));
                    external.Add((HexOf(id), bytes));
                }
                else
                {
                    entries.Add((EntryType.Blob, digest, bytes));
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
                entries.Add((EntryType.Model, [], CanonicalJson.Canonicalize(model.ToJson())));
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
                entries.Add((EntryType.Conversation, [], record));
                unindexed.AddConversation(part.Id, record, part.NodeIds);
                entries.Add((EntryType.Membership, [], CanonicalJson.Canonicalize(CommitInfo.Membership(part.Id, part.NodeIds))));
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
                entries.Add((EntryType.Node, [], bytes));
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
                entries.Add((EntryType.Annotation, [], CanonicalJson.Canonicalize(annotation.ToJson())));
            }

            // Nothing new at all (a re-import): acknowledge without writing, so repeating an import stores nothing.
            if (newNodes == 0 && newBlobIds.Count == 0 && newModels.Count == 0 && newAnnotations.Count == 0
                && batch.Conversations.All(c => HoldsAlready(c)))
            {
                return new Prepared
                {
                    Sequence = seq,
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

            var time = Amber.Core.Time.Timestamps.FormatCommitTime(archive.options.TimeProvider.GetUtcNow());
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
            foreach (var (type, prefix, body) in entries)
            {
                CommitPayload.WriteEntry(payload, type, prefix, body.Span);
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

            var (frame, dictFrame) = Encode(batch.Kind, decoded);
            unindexed.Bytes = decoded.Length;
            return new Prepared
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
            if (archive.Unindexed.HasConversation(part.Id))
            {
                // Rare (the same conversation again within moments): let the indexer catch up and compare against the index.
                archive.IndexProgress.WaitForAcknowledged();
            }

            return lookups!.HoldsAlready(part.Id, CanonicalJson.Canonicalize(part.Record.ToJson()), part.NodeIds, part.Raw,
                at => archive.ReadEntry(at.Segment, at.Offset, at.EntryOffset, at.EntryLength));
        }

        /// <summary>
        /// Packs a commit payload (record-frame.md §10) and compresses it with its kind's dictionary, training one
        /// first once enough samples exist. A payload that does not pack is stored as it is (codec 1 or 2).
        /// </summary>
        private (byte[] Frame, byte[]? DictionaryFrame) Encode(string kind, byte[] decoded)
        {
            var packed = archive.options.PackFrames ? Packer.TryPack(decoded) : null;
            var stream = packed ?? decoded;
            byte[]? dictFrame = null;
            if (!archive.TryGetDictionaryFor(kind, out _, out _))
            {
                dictFrame = CollectAndMaybeTrain(kind, stream);
            }

            var level = archive.options.CompressionLevel;
            if (archive.TryGetDictionaryFor(kind, out var dictId, out var dictionary))
            {
                var c = CompressorFor(dictId, level, dictionary);
                var compressed = c.Wrap(stream).ToArray();
                var codec = packed is null ? Codec.ZstdDictionary : Codec.PackedZstdDictionary;
                return (RecordFrame.Encode(FrameKind.Commit, codec, dictId, decoded.Length, compressed), dictFrame);
            }

            var plain = CompressorFor(0, level, null);
            return (RecordFrame.Encode(FrameKind.Commit, packed is null ? Codec.Zstd : Codec.PackedZstd, 0, decoded.Length, plain.Wrap(stream).ToArray()), dictFrame);
        }

        private Compressor CompressorFor(uint dictId, int level, byte[]? dictionary)
        {
            var key = (int)dictId;
            if (!compressors.TryGetValue(key, out var c))
            {
                c = new Compressor(level);
                if (dictionary is not null)
                {
                    c.LoadDictionary(dictionary);
                }

                compressors[key] = c;
            }

            return c;
        }

        /// <summary>At most this much of one commit's payload goes into a dictionary's training samples.</summary>
        private const int MaxSampleBytes = 16 << 10;

        /// <summary>Samples are what gets compressed: packed streams where packing applies.</summary>
        private byte[]? CollectAndMaybeTrain(string kind, byte[] decoded)
        {
            if (!samples.TryGetValue(kind, out var list))
            {
                samples[kind] = list = [];
            }

            var total = sampleBytes.GetValueOrDefault(kind);
            if (total < 16L << 20)
            {
                // A payload's first bytes carry what a dictionary is made of (member names, the record's framing); a
                // whole 300 KB conversation adds little to it and makes training take hundreds of milliseconds.
                var sample = decoded.Length > MaxSampleBytes ? decoded[..MaxSampleBytes] : decoded;
                list.Add(sample);
                sampleBytes[kind] = total += sample.Length;
            }

            var needed = Math.Max(archive.options.DictionaryTrainingCommits, trainingRetryAt.GetValueOrDefault(kind));
            if (list.Count < needed || total < archive.options.DictionaryTrainingBytes)
            {
                return null;
            }

            byte[] dict;
            try
            {
                dict = DictBuilder.TrainFromBuffer(list, archive.options.DictionarySize).ToArray();
            }
            catch (ZstdException)
            {
                // Too little variety to train on; try again once twice as many samples exist.
                archive.options.Log?.Invoke($"zstd dictionary training for \"{kind}\" did not converge on {list.Count} samples; will retry");
                trainingRetryAt[kind] = list.Count * 2;
                return null;
            }

            var id = Compression.DictionaryIdOf(dict);
            samples.Remove(kind);
            sampleBytes.Remove(kind);
            var existing = archive.SnapshotDictionaries().GetValueOrDefault(id);
            if (existing is not null && !existing.AsSpan().SequenceEqual(dict))
            {
                // Two different dictionaries with one 32-bit id: never let the second shadow the first.
                trainingRetryAt[kind] = int.MaxValue;
                return null;
            }

            var known = existing is not null;
            archive.AddDictionary(id, kind, dict);
            compression.AddDictionary(id, dict);
            if (known)
            {
                return null;
            }

            return RecordFrame.Encode(FrameKind.Dictionary, Codec.None, 0, 0, Compression.EncodeDictionaryPayload(kind, dict));
        }

        public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

        public async ValueTask DisposeAsync()
        {
            queue.Writer.TryComplete();
            arrived.Set();
            await loop.ConfigureAwait(false);
            checkpointTimer?.Dispose();
            indexer.Dispose(); // indexes every group handed over, then stops
            lookups?.Dispose();
            poisoned ??= indexer.Failure;
            if (poisoned is null)
            {
                try
                {
                    if (archive.Log.Size > archive.Log.LatestCheckpointSize)
                    {
                        var cp = WriteCheckpointFrame();
                        segmentFile.Sync();
                        using var tx = archive.index.Begin();
                        archive.ApplyFrame(archive.index, tx, compression, cp.Segment, cp.Offset, cp.Frame);
                        archive.index.SetPosition(tx, State.Segment, State.End);
                        tx.Commit();
                        archive.Log.SetLatest(cp.Note);
                    }

                    segmentFile.Sync();
                    archive.WriteCheckpoint(new Checkpoint(State.Segment, State.End), sync: true);
                }
                catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException)
                {
                    // The data was synced at each commit; a stale writer.chk only means more to scan at open,
                    // and a missing final log checkpoint is written by the next writer.
                }
            }

            segmentFile.Dispose();
            compression.Dispose();
            foreach (var c in compressors.Values)
            {
                c.Dispose();
            }
        }

        /// <summary>
        /// The node, blob and model ids that the commits of one group have added so far, so a later commit in the
        /// group can build on them (conversations and annotations too). A commit that fails validation takes its own ids back out.
        /// </summary>
        private sealed class GroupIds
        {
            private readonly List<(HashSet<string> Set, string Id)> added = [];

            public HashSet<string> Nodes { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Blobs { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Annotations { get; } = new(StringComparer.Ordinal);

            public void Add(HashSet<string> set, string id)
            {
                if (set.Add(id))
                {
                    added.Add((set, id));
                }
            }

            public void Accept() => added.Clear();

            public void Rollback()
            {
                foreach (var (set, id) in added)
                {
                    set.Remove(id);
                }

                added.Clear();
            }
        }

        /// <summary>A queued commit, or (with no batch) a request for a checkpoint.</summary>
        private sealed class Pending(CommitBatch? batch, CancellationToken ct)
        {
            public CommitBatch? Batch { get; } = batch;

            public CancellationToken CancellationToken { get; } = ct;

            public TaskCompletionSource<CommitResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        private sealed class Prepared
        {
            public required long Sequence { get; init; }

            public required string InfoId { get; init; }

            public required byte[] InfoBytes { get; init; }

            public required byte[] Frame { get; init; }

            public required byte[] Decoded { get; init; }

            public byte[]? DictionaryFrame { get; init; }

            public uint DictionarySegment { get; set; }

            public long DictionaryOffset { get; set; }

            public required List<(string Hex, ReadOnlyMemory<byte> Bytes)> ExternalBlobs { get; init; }

            public required int NewNodes { get; init; }

            public required int NewBlobs { get; init; }

            public required IReadOnlyList<string> Conversations { get; init; }

            /// <summary>The conversations this commit stores first (empty when unchanged).</summary>
            public IReadOnlyList<string> NewConversations { get; init; } = [];

            /// <summary>The archive already holds everything in the batch; nothing is written.</summary>
            public bool Unchanged { get; init; }

            /// <summary>What the commit adds, for lookups until the indexer has committed it (null when unchanged).</summary>
            public UnindexedCommits.Group? Unindexed { get; init; }
        }
    }
}
