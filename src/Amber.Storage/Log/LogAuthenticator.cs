using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Checkpoint = Amber.Transparency.Checkpoints.Checkpoint;

namespace Amber.Storage.Log;

/// <summary>
/// Checks the index's copy of the log (<c>commits.leaf_hash</c>) against the segments before anything is signed over
/// it or proved from it. The index is derived state that anyone holding the files can edit; a signature must never
/// rest on it unchecked. The leaves the latest checkpoint covers must give that checkpoint's signed root (the
/// checkpoint is read from its frame in the segments, not from the index), and every leaf after it is recomputed from
/// the commit frames that follow that frame in the segments. The cost is one Merkle root over the leaves already
/// loaded plus a scan of the frames written since the last checkpoint — after a clean close, none.
/// </summary>
internal static class LogAuthenticator
{
    /// <summary>The log as the segments and the signed checkpoints prove it: its tree and the newest checkpoint.</summary>
    internal sealed record Result(MerkleTree Tree, SignedNote? Latest, string? Problem)
    {
        public bool IsAuthentic => Problem is null;
    }

    public static Result Check(Archive archive, ArchiveIndex index, SegmentState end, NoteVerifier verifier, string origin, bool indexMayLag)
    {
        var indexed = index.LeafHashes(1);
        var hint = index.LatestCheckpointLocation();
        SignedNote? latest = null;
        MerkleTree? tree = null;
        long covered = 0;
        var (segment, offset) = (1u, (long)SegmentHeader.Size);
        if (hint is { } h)
        {
            byte[] frame;
            try
            {
                frame = archive.ReadFrameBytes(h.Segment, h.Offset);
            }
            catch (Exception e) when (e is CorruptArchiveException or IOException or ArgumentException)
            {
                return Fail(indexed, $"the index places the latest checkpoint at {ArchivePaths.SegmentName(h.Segment)}:{h.Offset}, where no valid frame is ({e.Message})");
            }

            if (RecordFrame.ReadHeader(frame).Kind != FrameKind.Checkpoint)
            {
                return Fail(indexed, $"the index places the latest checkpoint at {ArchivePaths.SegmentName(h.Segment)}:{h.Offset}, where a frame of another kind is");
            }

            var opened = Checkpoint.Open(RecordFrame.Payload(frame), verifier, origin);
            if (!opened.IsValid)
            {
                return Fail(indexed, $"the checkpoint at {ArchivePaths.SegmentName(h.Segment)}:{h.Offset} does not verify: {opened.Failure}");
            }

            covered = opened.Checkpoint!.Size;
            if (covered > indexed.Count)
            {
                return Fail(indexed, $"the signed checkpoint covers {covered} entries but the index holds {indexed.Count}");
            }

            tree = new MerkleTree(indexed.Take((int)covered));
            if (!tree.Covers(opened.Checkpoint))
            {
                return Fail(indexed, $"the index's log leaves 1–{covered} do not give the root signed by the checkpoint at {ArchivePaths.SegmentName(h.Segment)}:{h.Offset}");
            }

            latest = SignedNote.Parse(System.Text.Encoding.UTF8.GetString(RecordFrame.Payload(frame)));
            (segment, offset) = (h.Segment, h.Offset + frame.Length);
        }

        // The one tree of the log: the leaves the checkpoint proves, then those recomputed from the segments.
        tree ??= new MerkleTree();
        var problem = ScanAfter(archive, segment, offset, end, tree, verifier, origin, ref latest);
        if (problem is not null)
        {
            return Fail(indexed, problem);
        }

        // A reading process may open while another process's indexer is still behind the segments it wrote.
        if (indexed.Count > tree.Size || (indexed.Count < tree.Size && !indexMayLag))
        {
            return new Result(tree, latest, $"the index holds {indexed.Count} log leaves but the segments hold {tree.Size} commits");
        }

        for (var i = (int)covered; i < indexed.Count; i++)
        {
            if (!indexed[i].AsSpan().SequenceEqual(tree.GetLeafHash(i)))
            {
                return new Result(tree, latest, $"the index's log leaf {i + 1} differs from the commit stored in the segments");
            }
        }

        return new Result(tree, latest, null);
    }

    /// <summary>
    /// Appends to <paramref name="tree"/> the leaf of every commit frame from (<paramref name="segment"/>,
    /// <paramref name="offset"/>) to the data's end; a checkpoint frame found on the way must verify against the leaves
    /// before it and becomes the latest.
    /// </summary>
    private static string? ScanAfter(Archive archive, uint segment, long offset, SegmentState end, MerkleTree tree, NoteVerifier verifier, string origin, ref SignedNote? latest)
    {
        using var compression = new Compression(archive.SnapshotDictionaries());
        for (var seg = segment; seg <= end.Segment; seg++, offset = SegmentHeader.Size)
        {
            var name = ArchivePaths.SegmentName(seg);
            using var file = archive.FileSystem.OpenRead(archive.Paths.Segment(seg));
            var stop = seg == end.Segment ? end.End : file.Length;
            while (offset < stop)
            {
                var step = SegmentScanner.Read(file, offset, stop, name);
                if (step.Kind == SegmentScanner.StepKind.Footer)
                {
                    break;
                }

                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    return $"{name} at offset {offset}: {step.Problem}";
                }

                var frame = step.Bytes!;
                var header = RecordFrame.ReadHeader(frame);
                var payload = RecordFrame.Payload(frame);
                switch (header.Kind)
                {
                    case FrameKind.Dictionary:
                        var (label, dict) = Compression.DecodeDictionaryPayload(payload);
                        var id = Compression.DictionaryIdOf(dict);
                        compression.AddDictionary(id, dict);
                        archive.AddDictionary(id, label, dict);
                        break;
                    case FrameKind.Checkpoint:
                        var opened = Checkpoint.Open(payload, verifier, origin);
                        if (!opened.IsValid || !tree.Covers(opened.Checkpoint!))
                        {
                            return $"{name} at offset {offset}: the checkpoint does not verify against the commits before it";
                        }

                        latest = SignedNote.Parse(System.Text.Encoding.UTF8.GetString(payload));
                        break;
                    default:
                        foreach (var info in Catalogue.ArchiveCatalogue.DecodeCommits(seg, offset, header, frame.Length, compression.Decode(header, payload)))
                        {
                            var seq = info.Info["seq"]?.GetValue<long>();
                            if (seq != tree.Size + 1)
                            {
                                return $"{name} at offset {offset}: commit {seq} where commit {tree.Size + 1} was expected";
                            }

                            tree.AppendEntry(info.Entries[0].Body.Span);
                        }

                        break;
                }

                offset = step.Next;
            }
        }

        return null;
    }

    private static Result Fail(List<byte[]> indexed, string problem) => new(new MerkleTree(indexed), null, problem);
}
