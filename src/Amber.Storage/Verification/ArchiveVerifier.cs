using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage.Diagnostics;
using Amber.Storage.Format;
using Amber.Storage.Index;

namespace Amber.Storage.Verification;

/// <summary>
/// Re-reads and hashes every byte of every file (fixity, never skipped), then deep-checks: segment headers, every frame's
/// length and CRC, every sealed segment's footer hash, every node's hash and parent chain, every blob's hash, the log, the
/// checkpoint, and the index against the segments. A segment or index whose bytes (and every segment before it) hash to
/// what <c>verify.memo</c> recorded keeps the result of its earlier deep check (<see cref="MemoSession"/>).
/// </summary>
public static class ArchiveVerifier
{
    private const int MaxFaultsPerKind = 50;

    /// <summary>Frames read and being prepared ahead of the one checked: enough to keep both cores busy, few enough to bound memory.</summary>
    private const int ReadAhead = 8;

    public static VerifyReport Verify(Archive archive) => Verify(archive, []);

    /// <param name="trustedCheckpoints">Signed checkpoints kept from earlier (e.g. with receipts): the log must still be consistent with them.</param>
    public static VerifyReport Verify(Archive archive, IReadOnlyList<string> trustedCheckpoints) => Verify(archive, trustedCheckpoints, progress: null);

    /// <param name="trustedCheckpoints">Signed checkpoints kept from earlier (e.g. with receipts): the log must still be consistent with them.</param>
    /// <param name="progress">Told the frames and segment bytes re-read so far, of all the segments' bytes; last with the whole total.</param>
    public static VerifyReport Verify(Archive archive, IReadOnlyList<string> trustedCheckpoints, IProgress<ScanProgress>? progress) => Verify(archive, trustedCheckpoints, progress, full: false);

    /// <param name="trustedCheckpoints">Signed checkpoints kept from earlier (e.g. with receipts): the log must still be consistent with them.</param>
    /// <param name="progress">Told the frames and segment bytes re-read so far, of all the segments' bytes; last with the whole total.</param>
    /// <param name="full">Ignore verify.memo and deep-check every unit (the memo is rewritten); else units whose bytes are unchanged since their deep check get fixity only.</param>
    public static VerifyReport Verify(Archive archive, IReadOnlyList<string> trustedCheckpoints, IProgress<ScanProgress>? progress, bool full)
    {
        // In the writing process, commits wait while verify reads (another process's writer cannot be paused).
        archive.WriteGate.Wait();
        try
        {
            archive.WaitForIndexer(); // and the index holds everything written
            return VerifyCore(archive, trustedCheckpoints, progress, full);
        }
        finally
        {
            archive.WriteGate.Release();
        }
    }

    private static VerifyReport VerifyCore(Archive archive, IReadOnlyList<string> trustedCheckpoints, IProgress<ScanProgress>? progress, bool full)
    {
        var report = new VerifyReport { Recovery = archive.Recovery.Actions };
        var time = archive.Options.TimeProvider;
        var started = time.GetTimestamp();
        var clock = new ScanClock(time);
        var fs = archive.FileSystem;
        var paths = archive.Paths;
        var numbers = archive.SegmentNumbers();

        // Fixity first, never skipped: every byte of every file hashed. The deep checks below are skipped only for units
        // whose bytes hash to what verify.memo recorded, with every segment before them unchanged (the chain).
        var memo = new MemoSession(archive, report, full);
        var indexPath = archive.Index.Path;
        SettleIndex(archive, indexPath);
        var fixity = Fixity.HashAll(fs, paths.Root, [indexPath, indexPath + "-wal"], sqlite: indexPath);
        report.FixityBytes = fixity.Values.Sum(f => f.Length);
        var chains = new byte[numbers.Count][];
        var chain = new byte[32];
        for (var i = 0; i < numbers.Count; i++)
        {
            var name = ArchivePaths.SegmentName(numbers[i]);
            var sha = fixity.TryGetValue(paths.Segment(numbers[i]), out var f) ? f.Sha256 : new byte[32];
            chain = chains[i] = SHA256.HashData([.. chain, .. System.Text.Encoding.UTF8.GetBytes(name), .. sha]);
        }

        byte[]? IndexDigest(string path) => fixity.TryGetValue(path, out var f) ? f.Sha256 : null;
        // An empty WAL holds no rows, as a missing one: both are zeros (verify's own read-only connection may make one).
        var walFixity = fixity.TryGetValue(indexPath + "-wal", out var w) && w.Length > 0 ? w.Sha256 : null;
        var (indexDb, indexWal) = (IndexDigest(indexPath), walFixity ?? new byte[32]);
        // An index the memo holds is one this check audited: the open's checks of it (IndexProblem) are needed only otherwise.
        var indexMemo = memo.SkipIndex(indexDb, indexWal, chain);
        var auditIndex = indexMemo is null && archive.IndexProblem is null;
        IndexAudit.Phase(report, time, "fixity: SHA-256 of every file", started);
        if (numbers.Count == 0)
        {
            report.Faults.Add($"{paths.Segments}: no segment files.");
        }

        // The index audit rebuilds the index from the segments through its own reads: it runs on the other core while this
        // thread re-reads and checks every frame. Its faults are reported after the segments', as when the two ran in turn.
        // The scan hands each frame it decodes to the audit, which indexes it into its scratch index (each frame decoded once).
        var indexReport = new VerifyReport();
        using var scanned = new ScannedFrames();
        var seen = new ScannedContent();
        var audit = auditIndex
            ? Task.Factory.StartNew(() => IndexAudit.Run(archive, indexReport, MaxFaultsPerKind, scanned), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;
        if (!auditIndex)
        {
            scanned.Abandon();
            indexReport.Notes.AddRange(indexMemo?.Notes ?? []);
            if (indexMemo is null && archive.IndexProblem is { } problem)
            {
                // Opened to verify, nothing is rebuilt: an index a writer's open would rebuild or finish is named, not audited.
                (problem.Damaged ? indexReport.Faults : indexReport.Notes).Add($"index: not audited: {problem.Message}.");
            }
        }
        else
        {
            report.DeepChecked.Add("index.db");
        }

        try
        {
            var log = new LogCheck(archive, report);
            report.Segments = numbers.Count;
            var scan = ScanProgressReporter.For(progress, fs, paths, numbers);
            long before = 0; // bytes of the segments already scanned
            var dictionaries = new Dictionary<uint, byte[]>();
            using var compression = new Compression(dictionaries, archive.Encryption.ContentKeys);
            using var preparer = new FramePreparer(time, archive.Encryption.ContentKeys);
            var pending = new Queue<(long Offset, byte[] Frame, Task<PreparedFrame[]>? Prepared)>();
            var dataEnd = (Segment: 0u, Offset: 0L);
            var skipped = new List<SegmentDelta>();

            for (var i = 0; i < numbers.Count; i++)
            {
                var number = numbers[i];
                var name = ArchivePaths.SegmentName(number);
                if (number != i + 1)
                {
                    report.Faults.Add($"{name}: expected segment {i + 1} here; a segment is missing.");
                }

                using var file = fs.OpenRead(paths.Segment(number));
                var digest = fixity.TryGetValue(paths.Segment(number), out var fx) ? fx : ((long Length, byte[] Sha256)?)null;
                var length = digest?.Length ?? file.Length; // the bytes the fixity pass hashed, if a writer appends meanwhile
                report.Bytes += length;
                var segmentStart = before;
                before += length;
                var headerBytes = new byte[SegmentHeader.Size];
                file.Read(0, headerBytes);
                try
                {
                    var header = SegmentHeader.Parse(headerBytes, name);
                    if (header.Number != number)
                    {
                        report.Faults.Add($"{name}: header says segment {header.Number}.");
                    }

                    if (!Convert.ToHexStringLower(header.ArchiveId).Equals(archive.ArchiveId, StringComparison.Ordinal))
                    {
                        report.Faults.Add($"{name}: belongs to archive {Convert.ToHexStringLower(header.ArchiveId)}, not {archive.ArchiveId} as archive.json says.");
                    }
                }
                catch (CorruptArchiveException e)
                {
                    report.Faults.Add(e.Message);
                    scanned.Add(new ScannedFrame(ScannedFrame.Kinds.Damaged, number, 0, length));
                    continue;
                }

                if (memo.Skip(name, length, digest?.Sha256, chains[i], last: i == numbers.Count - 1) is { } record)
                {
                    // Unchanged since its deep check: hand on what it added, and read only its dictionaries for the frames after it.
                    var d = record.Delta;
                    seen.Apply(d);
                    foreach (var leaf in d.LogLeaves)
                    {
                        log.Leaf(leaf);
                    }

                    log.LatestSize = Math.Max(log.LatestSize, d.LatestCheckpoint);
                    report.Frames += d.Frames;
                    foreach (var at in d.Dictionaries)
                    {
                        var step = SegmentScanner.Read(file, at, length, name);
                        preparer.Start(number, at, step.Bytes!);
                        CheckFrame(archive, report, log, compression, clock, dictionaries, number, at, step.Bytes!, null, seen, out _);
                    }

                    skipped.Add(d);
                    scanned.Add(new ScannedFrame(ScannedFrame.Kinds.Skipped, number, 0, length));
                    scan.Frame(before);
                    dataEnd = (number, d.End);
                    continue;
                }

                var faultsBefore = report.Faults.Count;
                var delta = seen.Recording = new SegmentDelta();
                var leavesBefore = log.Size;
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                sha.AppendData(headerBytes);
                long pos = SegmentHeader.Size;
                uint frames = 0;
                var torn = false;
                SegmentFooter? footer = null;

                // Frames read ahead and being prepared on the pool; each is checked, in file order, once prepared.
                void Check(int keep)
                {
                    while (pending.Count > keep)
                    {
                        var (at, bytes, prep) = pending.Dequeue();
                        var commits = CheckFrame(archive, report, log, compression, clock, dictionaries, number, at, bytes, prep?.GetAwaiter().GetResult(), seen, out var decoded);
                        scanned.Add(decoded ? new ScannedFrame(ScannedFrame.Kinds.Frame, number, at, length, bytes, commits) : new ScannedFrame(ScannedFrame.Kinds.Damaged, number, at, length));
                    }
                }

                while (true)
                {
                    var t0 = clock.Now();
                    var step = SegmentScanner.Read(file, pos, length, name);
                    if (step.Kind == SegmentScanner.StepKind.Frame)
                    {
                        sha.AppendData(step.Bytes!);
                        clock.Add(0, t0);
                        frames++;
                        report.Frames++;
                        StorageMetrics.VerifiedFrames.Add(1);
                        StorageMetrics.VerifiedBytes.Add(step.Bytes!.Length);
                        pending.Enqueue((pos, step.Bytes!, preparer.Start(number, pos, step.Bytes!)));
                        Check(keep: ReadAhead);
                        pos = step.Next;
                        scan.Frame(segmentStart + pos);
                        continue;
                    }

                    Check(keep: 0);

                    if (step.Kind == SegmentScanner.StepKind.Footer)
                    {
                        scanned.Add(new ScannedFrame(ScannedFrame.Kinds.Footer, number, pos, length));
                        footer = step.Footer;
                        var footerDigest = sha.GetHashAndReset();
                        if (!footerDigest.AsSpan().SequenceEqual(footer!.Sha256))
                        {
                            report.Faults.Add($"{name}: footer SHA-256 {Convert.ToHexStringLower(footer.Sha256)} does not match the data ({Convert.ToHexStringLower(footerDigest)}).");
                        }

                        if (footer.FrameCount != frames)
                        {
                            report.Faults.Add($"{name}: footer counts {footer.FrameCount} frames, found {frames}.");
                        }

                        break;
                    }

                    if (step.Kind == SegmentScanner.StepKind.Torn && i == numbers.Count - 1 && archive.IsReadOnly)
                    {
                        // Not recovered (a read-only open): unfinished bytes after the last whole frame, which a crash cut
                        // short or a writer in another process is appending now. Reported, not cut, and not memoised.
                        report.Notes.Add($"{name} at offset {pos}: {length - pos} byte(s) after the last whole frame ({step.Problem}): a torn tail, or a frame another process is writing now; left as it is (the next open for writing cuts a torn tail).");
                        torn = true;
                    }
                    else if (step.Kind != SegmentScanner.StepKind.End)
                    {
                        report.Faults.Add($"{name} at offset {pos}: {step.Problem}.");
                        scanned.Add(new ScannedFrame(ScannedFrame.Kinds.Damaged, number, pos, length));
                    }

                    break;
                }

                if (footer is null && i < numbers.Count - 1)
                {
                    report.Faults.Add($"{name}: missing footer, though segment {number + 1} follows it (a sealed segment must end in a footer).");
                }

                seen.Recording = null;
                (delta.Frames, delta.End, delta.HadFooter, delta.LastSeq, delta.LatestCheckpoint) = (frames, pos, footer is not null, seen.LastSeq, log.LatestSize);
                for (var k = leavesBefore; k < log.Size; k++)
                {
                    delta.LogLeaves.Add(log.LeafHash(k));
                }

                memo.Checked(name, length, digest?.Sha256, chains[i], delta, clean: report.Faults.Count == faultsBefore && !torn);
                dataEnd = (number, pos);
            }

            scan.Complete();
            var phase = IndexAudit.Phase(report, time, "segment scan (frames, commits, nodes, blobs)", started);
            clock.Report(report);
            log.Finish(trustedCheckpoints);
            CheckCheckpoint(archive, report, dataEnd);
            CheckSkippedBlobs(archive, report, memo, fixity, skipped);
            CheckOrphans(archive, report, seen.ReferencedExternal);
            report.Nodes = seen.NodeCount;
            report.Blobs = seen.BlobCount;
            report.MemoSegmentsTakenOn = seen.SegmentsTakenOn;
            report.Commits = seen.LastSeq;
            foreach (var hex in seen.ReferencedExternal)
            {
                memo.BlobChecked(hex, fixity.TryGetValue(paths.BlobFile(hex), out var b) ? b.Sha256 : null, paths.BlobFile(hex));
            }

            IndexAudit.Phase(report, time, "log, checkpoint, orphans", phase);
        }
        finally
        {
            scanned.Complete();
            // Never leave the audit reading an archive the caller is about to close.
            ((IAsyncResult)audit).AsyncWaitHandle.WaitOne();
        }

        audit.GetAwaiter().GetResult();
        if (EncryptedContent.Report(archive, report, seen.Locked))
        {
            report.Faults.AddRange(indexReport.Faults);
            report.Notes.AddRange(indexReport.Notes);
        }

        // The index is memoised only if its bytes did not change while it was audited (a writer in another process).
        if (auditIndex && indexDb is not null && indexReport.Faults.Count == 0 && seen.Locked.Count == 0
            && Fixity.Hash(fs, indexPath, sqlite: true).Sha256.AsSpan().SequenceEqual(indexDb)
            && (fs.FileExists(indexPath + "-wal") && Fixity.Hash(fs, indexPath + "-wal") is { Length: > 0 } after ? after.Sha256 : new byte[32]).AsSpan().SequenceEqual(indexWal))
        {
            memo.IndexChecked(indexDb, indexWal, chain, indexReport.Notes);
        }

        memo.Save();
        report.Phases.AddRange(indexReport.Phases);
        report.Phases.Add(("total", time.GetElapsedTime(started)));
        return report;
    }

    /// <summary>
    /// In the writing process, copies the index's WAL into index.db and empties it (a TRUNCATE checkpoint: the rows are
    /// unchanged), so the index's bytes are the same from one verify to the next unless its rows changed; the
    /// background checkpointer and the close would otherwise leave them different every time.
    /// </summary>
    private static void SettleIndex(Archive archive, string indexPath)
    {
        if (archive.IsReadOnly || !archive.FileSystem.FileExists(indexPath))
        {
            return;
        }

        try
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = indexPath, Pooling = false }.ToString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout=2000; PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // Busy or unreadable: the index's bytes may differ from the memo's, and it is then audited in full.
        }
    }

    /// <summary>The external blobs named by segments skipped through the memo: a file whose bytes changed is checked in full.</summary>
    private static void CheckSkippedBlobs(Archive archive, VerifyReport report, MemoSession memo, Dictionary<string, (long Length, byte[] Sha256)> fixity, List<SegmentDelta> skipped)
    {
        foreach (var d in skipped)
        {
            foreach (var (id, size) in d.External)
            {
                var hex = Archive.HexOf(id);
                if (!memo.BlobUnchanged(hex, fixity.TryGetValue(archive.Paths.BlobFile(hex), out var f) ? f.Sha256 : null))
                {
                    CheckExternalBlob(archive, report, id, size);
                }
            }
        }
    }

    /// <returns>The decoded and checked commits (one, or a merged frame's; null for a dictionary or checkpoint frame); <paramref name="decoded"/> is false when the frame does not decode.</returns>
    private static PreparedFrame[]? CheckFrame(
        Archive archive,
        VerifyReport report,
        LogCheck log,
        Compression compression,
        ScanClock clock,
        Dictionary<uint, byte[]> dictionaries,
        uint segment,
        long offset,
        byte[] frame,
        PreparedFrame[]? prepared,
        ScannedContent seen,
        out bool decoded)
    {
        decoded = true;
        var where = $"{ArchivePaths.SegmentName(segment)} at offset {offset}";
        var header = RecordFrame.ReadHeader(frame);
        try
        {
            if (header.Kind == FrameKind.Dictionary)
            {
                var (_, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(frame));
                var id = Compression.DictionaryIdOf(dict);
                dictionaries[id] = dict;
                compression.AddDictionary(id, dict);
                seen.Recording?.Dictionaries.Add(offset);
                return null;
            }

            if (header.Kind == FrameKind.Checkpoint)
            {
                log.CheckpointFrame(where, RecordFrame.Payload(frame));
                return null;
            }

            if (header.Codec is Codec.PackedZstd or Codec.PackedZstdDictionary && archive.ManifestVersion < Archive.FormatVersion)
            {
                // Packed frames exist from format 3 on: either archive.json's version or this frame is damaged.
                report.Faults.Add($"{where}: a packed frame (format {Archive.FormatVersion}), but {archive.Paths.Manifest} says format {archive.ManifestVersion}: one of them is damaged.");
            }

            // Decoded, and each entry's canonical form, node id and parse found, on the pool (PreparedFrame); a merged
            // frame's commits are checked one by one, as if each were a frame of its own at the merged frame's offset.
            var parts = prepared ?? PreparedFrame.Prepare(segment, offset, frame, compression, archive.Options.TimeProvider);
            for (var k = 0; k < parts.Length; k++)
            {
                var at = header.Kind == FrameKind.Commits ? $"{where} (commit {k + 1} of {parts.Length} in the merged frame)" : where;
                CheckCommit(archive, report, log, clock, segment, offset, at, parts[k], seen);
            }

            return parts;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the damage, verify reports it rather than stopping.
            report.Faults.Add($"{where}: cannot decode the commit: {e.Message}");
            decoded = false;
            return null;
        }
    }

    /// <summary>Checks one commit of a frame (the frame's only one, or one of a merged frame's) in file order.</summary>
    private static void CheckCommit(
        Archive archive,
        VerifyReport report,
        LogCheck log,
        ScanClock clock,
        uint segment,
        long offset,
        string where,
        PreparedFrame p,
        ScannedContent seen)
    {
        var (nodes, blobs, models, conversations, locked) = (seen.Nodes, seen.Blobs, seen.Models, seen.Conversations, seen.Locked);
        clock.Add(p.Ticks);
        var t = clock.Now();
        var commit = p.Commit ?? throw p.Failure!;
        log.Entry(commit.Entries[0].Body.Span);
        var seq = (long)commit.Info["seq"]!;
        if (seq != seen.LastSeq + 1)
        {
            report.Faults.Add($"{where}: commit sequence {seq} follows {seen.LastSeq}; a commit is missing or repeated.");
        }

        seen.LastSeq = seq;
        Canonical(report, where, "commit info", p.Canonical[0]);
        var newInThisCommit = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < commit.Entries.Count; i++)
        {
            var e = commit.Entries[i];
            var body = e.Body.Span;
            switch (e.Type)
            {
                case EntryType.Info:
                    report.Faults.Add($"{where}: a second commit info entry.");
                    break;
                case EntryType.Locked:
                    seen.AddLocked(SealedBlocks.LockedConversation(body));
                    break;
                case EntryType.Model:
                    Canonical(report, where, "model reference", p.Canonical[i]);
                    seen.AddModel(ContentId.Of(body));
                    break;
                case EntryType.Conversation:
                    Canonical(report, where, "conversation", p.Canonical[i]);
                    seen.AddConversation(ConversationRecord.FromJson((JsonObject)JsonNode.Parse(body)!).Id);
                    break;
                case EntryType.Blob:
                    {
                        var id = ContentId.Format(body[..32]);
                        var actual = ContentId.Of(body[32..]);
                        if (actual != id)
                        {
                            report.Faults.Add($"{where}: inline blob {id} hashes to {actual}.");
                        }

                        seen.AddBlob(id, external: false, 0);
                        break;
                    }

                case EntryType.ExternalBlob:
                    {
                        var id = ContentId.Format(body[..32]);
                        var size = BinaryPrimitives.ReadInt64LittleEndian(body[32..]);
                        CheckExternalBlob(archive, report, id, size);
                        seen.AddBlob(id, external: true, size);
                        break;
                    }

                case EntryType.Annotation:
                    {
                        Canonical(report, where, "annotation", p.Canonical[i]);
                        var a = Annotation.FromJson((JsonObject)JsonNode.Parse(body)!);
                        if (locked.Count == 0 && !nodes.ContainsKey(a.Target) && !conversations.Contains(a.Target) && !commit.Entries.Any(x => x.Type == EntryType.Node && ContentId.Of(x.Body.Span) == a.Target))
                        {
                            report.Faults.Add($"{where}: annotation {ContentId.Of(body)} is about {a.Target}, which is not stored.");
                        }

                        break;
                    }

                case EntryType.Node:
                    {
                        var id = p.NodeIds[i]!;
                        Canonical(report, where, $"node {id}", p.Canonical[i]);
                        var node = p.Nodes[i] ?? throw p.NodeErrors[i]!;
                        if (node.Parent is not null && !nodes.ContainsKey(node.Parent) && locked.Count == 0)
                        {
                            report.Faults.Add($"{where}: node {id} names parent {node.Parent}, which is not stored before it (broken hash chain).");
                        }

                        if (node.Generation is { } g && !models.Contains(g.Model))
                        {
                            report.Faults.Add($"{where}: node {id} names model {g.Model}, which is not stored.");
                        }

                        foreach (var b in node.BlobReferences())
                        {
                            if (!blobs.ContainsKey(b.Blob))
                            {
                                report.Faults.Add($"{where}: node {id} names blob {b.Blob}, which is not stored.");
                            }
                        }

                        if (node.Generation?.State is { } state && !blobs.ContainsKey(state))
                        {
                            report.Faults.Add($"{where}: node {id} names state blob {state}, which is not stored.");
                        }

                        if (!seen.AddNode(id, (segment, offset, e.EntryOffset)))
                        {
                            report.Faults.Add($"{where}: node {id} is stored twice.");
                        }

                        newInThisCommit.Add(id);
                        break;
                    }
            }
        }

        var memberLists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < commit.Entries.Count; i++)
        {
            var e = commit.Entries[i];
            if (e.Type != EntryType.Membership)
            {
                continue;
            }

            Canonical(report, where, "membership", p.Canonical[i]);
            var m = (JsonObject)JsonNode.Parse(e.Body.Span)!;
            memberLists[m["conversation"]!.GetValue<string>()] = m["nodes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in commit.Info["conversations"]!.AsArray())
        {
            var cid = c!["id"]!.GetValue<string>();
            if (locked.Contains(cid))
            {
                continue; // its record, nodes and blobs are in a block this process cannot open (encryption.md §11)
            }

            if (!conversations.Contains(cid))
            {
                report.Faults.Add($"{where}: commit names conversation {cid}, whose record is not stored.");
            }

            // The log entry names the conversation's nodes by digest; the membership entry must match it.
            var members = memberLists.GetValueOrDefault(cid) ?? [];
            if (CommitInfo.NodesDigest(members) != c["nodes_sha256"]?.GetValue<string>() || members.Count != c["node_count"]?.GetValue<int>())
            {
                report.Faults.Add($"{where}: conversation {cid}: the membership entry does not match the digest and count in the log entry.");
            }

            var memberSet = members.ToHashSet(StringComparer.Ordinal);
            foreach (var leaf in c["leaves"]?.AsArray() ?? [])
            {
                if (!memberSet.Contains(leaf!.GetValue<string>()))
                {
                    report.Faults.Add($"{where}: conversation {cid}: the log entry names leaf {leaf}, which the commit does not attach.");
                }
            }

            foreach (var nid in members)
            {
                if (!nodes.ContainsKey(nid))
                {
                    report.Faults.Add($"{where}: conversation {cid} lists node {nid}, which is not stored.");
                }

                listed.Add(nid);
            }

            foreach (var r in c["raw"]?.AsArray() ?? [])
            {
                if (!blobs.ContainsKey(r!.GetValue<string>()))
                {
                    report.Faults.Add($"{where}: conversation {cid} names raw source {r}, which is not stored.");
                }
            }
        }

        // The rest of the log entry must describe this commit's entries exactly.
        var blobIds = commit.Entries.Where(e => e.Type is EntryType.Blob or EntryType.ExternalBlob).Select(e => ContentId.Format(e.Body.Span[..32])).ToList();
        if (!commit.Entries.Any(e => e.Type == EntryType.Locked) && (commit.Info["blob_count"]?.GetValue<int>() != blobIds.Count || commit.Info["blobs_sha256"]?.GetValue<string>() != CommitInfo.NodesDigest(blobIds)))
        {
            report.Faults.Add($"{where}: the log entry's blob count or digest does not match the commit's blobs.");
        }

        var annotationIds = commit.Entries.Where(e => e.Type == EntryType.Annotation).Select(e => ContentId.Of(e.Body.Span)).ToList();
        if (!(commit.Info["annotations"]?.AsArray().Select(a => a!.GetValue<string>()) ?? []).SequenceEqual(annotationIds))
        {
            report.Faults.Add($"{where}: the log entry's annotation list does not match the commit's annotations.");
        }

        var modelIds = commit.Entries.Where(e => e.Type == EntryType.Model).Select(e => ContentId.Of(e.Body.Span)).ToList();
        if (!(commit.Info["models"]?.AsArray().Select(m => m!.GetValue<string>()) ?? []).SequenceEqual(modelIds))
        {
            report.Faults.Add($"{where}: the log entry's model list does not match the commit's model references.");
        }

        foreach (var c in commit.Info["conversations"]!.AsArray())
        {
            var leaves = c!["leaves"]?.AsArray().Select(l => l!.GetValue<string>()).ToList();
            var count = c["leaf_count"]?.GetValue<int>();
            if (leaves is not null ? leaves.Count != count : c["leaves_sha256"] is null)
            {
                report.Faults.Add($"{where}: conversation {c["id"]}: the log entry's leaf count does not match its leaves.");
            }
        }

        foreach (var n in newInThisCommit.Where(n => !listed.Contains(n)).Take(3))
        {
            report.Faults.Add($"{where}: node {n} is stored but no conversation in its commit lists it.");
        }

        clock.Add(5, t);
    }

    /// <summary>Reports an entry not in canonical form (<see cref="PreparedFrame.CanonicalProblem"/>).</summary>
    private static void Canonical(VerifyReport report, string where, string what, string? problem)
    {
        if (problem is not null)
        {
            report.Faults.Add($"{where}: {what}{problem}");
        }
    }

    private static void CheckExternalBlob(Archive archive, VerifyReport report, string id, long size)
    {
        var path = archive.Paths.BlobFile(Archive.HexOf(id));
        if (!archive.FileSystem.FileExists(path))
        {
            report.Faults.Add($"blob {id}: file {path} is missing.");
            return;
        }

        try
        {
            using var d = new ZstdSharp.Decompressor();
            var bytes = d.Unwrap(archive.ReadAll(path)).ToArray();
            if (bytes.LongLength != size)
            {
                report.Faults.Add($"blob {id}: {path} holds {bytes.LongLength} bytes, the commit says {size}.");
            }

            var actual = ContentId.Of(bytes);
            if (actual != id)
            {
                report.Faults.Add($"blob {id}: {path} hashes to {actual}.");
            }
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or IOException or ArgumentException)
        {
            report.Faults.Add($"blob {id}: {path} does not decompress: {e.Message}");
        }
    }

    private static void CheckCheckpoint(Archive archive, VerifyReport report, (uint Segment, long Offset) dataEnd)
    {
        var fs = archive.FileSystem;
        if (!fs.FileExists(archive.Paths.Checkpoint))
        {
            report.Notes.Add("writer.chk is missing (the archive was never opened for writing after init).");
            return;
        }

        var cp = Checkpoint.TryParse(archive.ReadAll(archive.Paths.Checkpoint));
        if (cp is null)
        {
            report.Faults.Add("writer.chk: checksum mismatch.");
            return;
        }

        var c = cp.Value;
        if ((c.Segment > dataEnd.Segment || (c.Segment == dataEnd.Segment && c.Offset > dataEnd.Offset)) && !(archive.IsReadOnly && AppendedSince(archive, dataEnd, c)))
        {
            report.Faults.Add($"checkpoint ahead of data: writer.chk says {ArchivePaths.SegmentName(c.Segment)}:{c.Offset} is durable, but valid data ends at {ArchivePaths.SegmentName(dataEnd.Segment)}:{dataEnd.Offset}.");
        }
    }

    /// <summary>
    /// In a read-only open, true when whole frames now run from where the scanned data ended to where writer.chk says
    /// durable data ends: a writer in another process appended them (and wrote writer.chk) after the fixity pass.
    /// </summary>
    private static bool AppendedSince(Archive archive, (uint Segment, long Offset) dataEnd, Checkpoint c)
    {
        var (segment, pos) = dataEnd;
        while (true)
        {
            var name = ArchivePaths.SegmentName(segment);
            var path = archive.Paths.Segment(segment);
            if (!archive.FileSystem.FileExists(path))
            {
                return false;
            }

            using var file = archive.FileSystem.OpenRead(path);
            var length = file.Length;
            while (segment != c.Segment || pos < c.Offset)
            {
                var step = SegmentScanner.Read(file, pos, length, name);
                if (step.Kind == SegmentScanner.StepKind.Footer && segment < c.Segment)
                {
                    break;
                }

                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    return false;
                }

                pos = step.Next;
            }

            if (segment == c.Segment)
            {
                return pos == c.Offset;
            }

            (segment, pos) = (segment + 1, SegmentHeader.Size);
        }
    }

    private static void CheckOrphans(Archive archive, VerifyReport report, HashSet<string> referenced)
    {
        var fs = archive.FileSystem;
        foreach (var dir in fs.ListDirectories(archive.Paths.Blobs))
        {
            foreach (var file in fs.ListFiles(Path.Combine(archive.Paths.Blobs, dir)))
            {
                if (!file.EndsWith(".zst", StringComparison.Ordinal))
                {
                    continue;
                }

                var hex = dir + file[..^4];
                if (!referenced.Contains(hex))
                {
                    report.Notes.Add($"blob file {dir}/{file} is not referenced by any commit (left by a commit that never completed).");
                }
            }
        }
    }
}
