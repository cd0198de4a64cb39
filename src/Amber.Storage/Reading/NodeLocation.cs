namespace Amber.Storage.Reading;

/// <summary>Where a node's bytes are: the entry at <paramref name="EntryOffset"/> in the decoded payload of the commit frame at <paramref name="Offset"/>. Sorts in file order.</summary>
internal readonly record struct NodeLocation(string Id, uint Segment, long Offset, int EntryOffset, int EntryLength) : IComparable<NodeLocation>
{
    public int CompareTo(NodeLocation other)
    {
        var c = Segment.CompareTo(other.Segment);
        if (c == 0)
        {
            c = Offset.CompareTo(other.Offset);
        }

        return c != 0 ? c : EntryOffset.CompareTo(other.EntryOffset);
    }
}
