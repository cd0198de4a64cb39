using System.Buffers.Binary;

namespace Amber.Storage.Format;

/// <summary>
/// The decoded payload of a merged commit frame (kind 4, record-frame.md §4a): the entry sequences of several commits
/// one after another. Each commit starts at an Info entry and runs to the next one, so the payload needs no table of
/// its own; entry offsets are offsets in the whole decoded payload, as in a frame of one commit.
/// </summary>
internal static class MergedCommits
{
    /// <summary>Where each commit's entries start and how long they are, in file order; a payload that does not start with an Info entry is damage.</summary>
    public static List<(int Start, int Length)> Members(ReadOnlySpan<byte> decoded)
    {
        var members = new List<(int Start, int Length)>();
        var pos = 0;
        while (pos < decoded.Length)
        {
            if (decoded.Length - pos < CommitPayload.EntryHeaderSize)
            {
                throw new FormatException($"entry header cut short at {pos} of the merged commits.");
            }

            var type = decoded[pos];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(decoded[(pos + 1)..]);
            if (length > (uint)(decoded.Length - pos - CommitPayload.EntryHeaderSize))
            {
                throw new FormatException($"entry at {pos} of the merged commits runs past the end.");
            }

            if (type == (byte)EntryType.Info)
            {
                members.Add((pos, 0));
            }
            else if (members.Count == 0)
            {
                throw new FormatException("the merged commits do not start with an info entry.");
            }

            pos += CommitPayload.EntryHeaderSize + (int)length;
            members[^1] = (members[^1].Start, pos - members[^1].Start);
        }

        if (members.Count == 0)
        {
            throw new FormatException("a merged commit frame holds no commit.");
        }

        return members;
    }

    /// <summary>The seq in the Info entry a commit's entry sequence starts with.</summary>
    public static long SeqOf(ReadOnlySpan<byte> commit)
    {
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(commit[1..]);
        var info = System.Text.Json.Nodes.JsonNode.Parse(commit.Slice(CommitPayload.EntryHeaderSize, length)) as System.Text.Json.Nodes.JsonObject;
        return info?["seq"]?.GetValue<long>() ?? throw new FormatException("a commit info entry without a seq.");
    }

    /// <summary>
    /// The bytes of a merged frame of <paramref name="frameLength"/> bytes counted to the commit at
    /// [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of <paramref name="total"/>
    /// decoded bytes: in proportion, rounded so the shares of all its commits add up to the frame's length exactly
    /// (the index's <c>commits.length</c>, which the dashboard sums as stored bytes).
    /// </summary>
    public static long Share(long frameLength, long start, long length, long total)
        => total == 0 ? 0 : (frameLength * (start + length) / total) - (frameLength * start / total);
}
