using System.Buffers.Binary;
using Amber.Storage.Format;
using Amber.Testing;

namespace Amber.Storage.Tests.Packing;

/// <summary>The headers of every frame in an archive's segments, read straight from the files.</summary>
internal static class SegmentFrames
{
    public static List<FrameHeader> Headers(TestArchives t)
    {
        var headers = new List<FrameHeader>();
        for (uint n = 1; t.FileSystem.FileExists(t.SegmentPath(n)); n++)
        {
            var bytes = t.ReadFile(t.SegmentPath(n));
            var pos = SegmentHeader.Size;
            while (pos + 16 <= bytes.Length && RecordFrame.Check(bytes.AsSpan(pos)) == FrameCheck.Ok)
            {
                headers.Add(RecordFrame.ReadHeader(bytes.AsSpan(pos)));
                pos += (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos)) + 12;
            }
        }

        return headers;
    }

    public static List<Codec> CommitCodecs(TestArchives t) => Headers(t).Where(h => h.Kind == FrameKind.Commit).Select(h => h.Codec).ToList();
}
