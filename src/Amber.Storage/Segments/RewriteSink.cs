using System.Security.Cryptography;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Segments;

/// <summary>The new file of a compaction as frames are appended to it: where the next one goes, and the footer's hash and count.</summary>
internal sealed class RewriteSink(IStorageFile output, IncrementalHash hash)
{
    public long At { get; private set; } = Format.SegmentHeader.Size;

    public uint Frames { get; private set; }

    /// <summary>Appends a frame; returns its offset.</summary>
    public long Write(byte[] frame)
    {
        var at = At;
        output.Write(at, frame);
        hash.AppendData(frame);
        At += frame.Length;
        Frames++;
        return at;
    }
}
