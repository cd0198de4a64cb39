namespace Amber.Storage.Format;

/// <summary>The decoded fixed part of a record frame.</summary>
internal readonly record struct FrameHeader(FrameKind Kind, Codec Codec, uint DictionaryId, int UncompressedLength, int PayloadLength)
{
    /// <summary>Total bytes of the frame on disk.</summary>
    public long TotalLength => RecordFrame.Overhead + PayloadLength;

    /// <summary>Codecs 2 and 4 need the zstd dictionary named by <see cref="DictionaryId"/>.</summary>
    public bool NeedsDictionary => Codec is Codec.ZstdDictionary or Codec.PackedZstdDictionary;
}
