using Amber.Storage.Format;

namespace Amber.Storage.Segments;

/// <summary>
/// Groups a sealed segment's commits, in file order, into merged frames of about <c>mergeBytes</c> decoded bytes
/// (record-frame.md §4a) and writes them to the compaction's new file. Dictionary and checkpoint frames met inside a
/// group are written right after its merged frame, in their order: a merged frame needs no dictionary, and a checkpoint
/// then still follows every commit it covers. A group of one commit stays a commit frame of its own. With
/// <c>mergeBytes</c> 0 every commit is its own group (compaction without merging).
/// </summary>
internal sealed class CommitMerger(RewriteSink sink, RewriteCodecs codecs, int mergeBytes, string name)
{
    /// <summary>No merged frame decodes to more than this (a reader holds a decoded frame in one array).</summary>
    private const int MaxMergedBytes = 256 << 20;

    private readonly List<Member> group = [];
    private readonly List<(long Offset, byte[] Frame)> deferred = [];
    private long groupBytes;

    /// <summary>Where every frame and commit went, in the order written.</summary>
    public List<FrameMove> Moves { get; } = [];

    public void Add(long offset, byte[] frame)
    {
        var header = RecordFrame.ReadHeader(frame);
        switch (header.Kind)
        {
            case FrameKind.Commit when header.Codec == Codec.SealedBlocks:
                {
                    // An encrypted commit keeps its per-conversation blocks as they are (encryption.md §5): merging
                    // would put conversations under one frame, and compaction needs no key. Decoded without keys, its
                    // blocks read as locked entries of their own lengths, which is all the move needs.
                    Flush();
                    var decoded = codecs.Decode(frame, name, offset);
                    Moves.Add(new FrameMove(offset, frame.Length, sink.Write(frame), frame.Length, 0, 0, decoded.Length, Seq(decoded, offset)));
                    return;
                }

            case FrameKind.Commit:
                {
                    var decoded = codecs.Decode(frame, name, offset);
                    AddMember(new Member(offset, frame.Length, 0, decoded, Seq(decoded, offset), frame));
                    return;
                }

            case FrameKind.Commits:
                {
                    var decoded = codecs.Decode(frame, name, offset);
                    List<(int Start, int Length)> members;
                    try
                    {
                        members = MergedCommits.Members(decoded);
                    }
                    catch (FormatException e)
                    {
                        throw new CorruptArchiveException($"{name} at offset {offset}: the merged commit frame's checksum holds but its content cannot be decoded: {e.Message}", e);
                    }

                    foreach (var (start, length) in members)
                    {
                        var part = decoded.AsSpan(start, length).ToArray();
                        AddMember(new Member(offset, MergedCommits.Share(frame.Length, start, length, decoded.Length), start, part, Seq(part, offset), null));
                    }

                    return;
                }

            default:
                if (group.Count == 0)
                {
                    Moves.Add(new FrameMove(offset, frame.Length, sink.Write(frame), frame.Length));
                }
                else
                {
                    deferred.Add((offset, frame));
                }

                return;
        }
    }

    /// <summary>Writes the group so far and the frames held back behind it.</summary>
    public void Flush()
    {
        if (group.Count == 1)
        {
            var m = group[0];
            var frame = m.Frame is not null ? codecs.Reencode(m.Frame, m.Decoded, name, m.Offset) : codecs.Encode(FrameKind.Commit, m.Decoded, 0, name, m.Offset);
            Moves.Add(new FrameMove(m.Offset, m.Length, sink.Write(frame), frame.Length, m.Base, 0, m.Decoded.Length, m.Seq));
        }
        else if (group.Count > 1)
        {
            var all = new byte[groupBytes];
            var at = 0;
            foreach (var m in group)
            {
                m.Decoded.CopyTo(all, at);
                at += m.Decoded.Length;
            }

            var frame = codecs.Encode(FrameKind.Commits, all, 0, name, group[0].Offset);
            var written = sink.Write(frame);
            at = 0;
            foreach (var m in group)
            {
                Moves.Add(new FrameMove(m.Offset, m.Length, written, MergedCommits.Share(frame.Length, at, m.Decoded.Length, all.Length), m.Base, at, m.Decoded.Length, m.Seq));
                at += m.Decoded.Length;
            }
        }

        group.Clear();
        groupBytes = 0;
        foreach (var (offset, frame) in deferred)
        {
            Moves.Add(new FrameMove(offset, frame.Length, sink.Write(frame), frame.Length));
        }

        deferred.Clear();
    }

    private void AddMember(Member m)
    {
        if (groupBytes + m.Decoded.Length > MaxMergedBytes)
        {
            Flush();
        }

        group.Add(m);
        groupBytes += m.Decoded.Length;
        if (mergeBytes <= 0 || groupBytes >= mergeBytes)
        {
            Flush();
        }
    }

    private long Seq(byte[] decoded, long offset)
    {
        try
        {
            return MergedCommits.SeqOf(decoded);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new CorruptArchiveException($"{name} at offset {offset}: the commit's info entry cannot be read: {e.Message}", e);
        }
    }

    /// <summary>One commit of the group: where it was (frame offset, its length or share, its base in that frame's payload).</summary>
    private sealed record Member(long Offset, long Length, int Base, byte[] Decoded, long Seq, byte[]? Frame);
}
