using System.Buffers;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using Amber.Testing;

namespace Amber.Storage.Tests.Packing;

/// <summary>Every broken rule of the packed stream is a clear <see cref="FormatException"/>; the reader reports it as damage.</summary>
public sealed class MalformedPackedStreamTests
{
    public static TheoryData<string, byte[], int, string> Cases() => new()
    {
        { "id of a nonexistent entry", Stream((EntryType.Info, Json("{\"a\":\"", [0x01, 5], "\"}"))), 0, "does not exist" },
        { "a node naming itself (a cycle)", Stream((EntryType.Node, Json("{\"p\":\"", [0x01, 0], "\"}"))), 0, "not unpacked before it" },
        { "a node naming a later node", Stream((EntryType.Node, Json("{\"p\":\"", [0x01, 1], "\"}")), (EntryType.Node, "{}"u8.ToArray())), 0, "not unpacked before it" },
        { "id of an entry without one", Stream((EntryType.Info, Json("{\"a\":\"", [0x01, 0], "\"}"))), 0, "has none" },
        { "string token into a non-blob", Stream((EntryType.Node, "{}"u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 1, 0, 0, 1], "\"}"))), 0, "not a Blob entry" },
        { "offset outside the blob", Stream((EntryType.Blob, "\"abcdef\""u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 1, 99, 0, 1], "\"}"))), 0, "points at byte 99" },
        { "a literal that does not parse", Stream((EntryType.Blob, "\"ab\\qcd\""u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 1, 0, 0, 1], "\"}"))), 0, "no JSON string literal parses" },
        { "a literal without its end quote", Stream((EntryType.Blob, "\"abcdef"u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 1, 0, 0, 1], "\"}"))), 0, "no JSON string literal parses" },
        { "bytes past the literal's end", Stream((EntryType.Blob, "\"abcdef\""u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 1, 0, 4, 5], "\"}"))), 0, "takes bytes 4..9" },
        { "depth 0", Stream((EntryType.Blob, "\"abcdef\""u8.ToArray()), (EntryType.Info, Json("{\"a\":\"", [0x02, 0, 0, 0, 1], "\"}"))), 0, "0 literals deep" },
        { "a control byte that is no token", Stream((EntryType.Info, Json("{\"a\":\"", [0x07], "\"}"))), 0, "no token" },
        { "a varint cut short", Stream((EntryType.Info, Json("{\"a\":\"", [0x01, 0x80], ""))), 0, "cut short" },
        { "an entry running past the end", [(byte)EntryType.Info, 50, (byte)'{', (byte)'}'], 0, "runs past the end" },
        { "an unknown entry type", [99, 0], 0, "unknown type 99" },
        { "an external blob of 39 bytes", Stream((EntryType.ExternalBlob, new byte[39])), 0, "not 40" },
        { "a digest token cut short", Stream((EntryType.Info, Json("{\"a\":\"", [0x03, 1, 2, 3], ""))), 0, "cut short" },
        { "a nodes digest of a non-Membership", Stream((EntryType.Info, Json("{\"a\":\"", [0x04, 1], "\"}")), (EntryType.Node, "{}"u8.ToArray())), 0, "not a Membership entry" },
        { "fewer bytes than the header says", Stream((EntryType.Info, "{}"u8.ToArray())), 8, "unpacks to 7 bytes, the frame header says 8" },
        { "more bytes than the header says", Stream((EntryType.Info, Json("{\"a\":\"", [0x05], "\"}"))), 20, "more than the 20 bytes" },
        { "a stream longer than its output", Stream((EntryType.Info, "{}"u8.ToArray())), 3, "longer than the 3 bytes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unpack_MalformedStream_ThrowsFormatExceptionNamingTheProblem(string name, byte[] packed, int expected, string message)
    {
        var length = expected > 0 ? expected : Math.Max(packed.Length, 512);
        var e = Assert.Throws<FormatException>(() => Unpacker.Unpack(packed, length));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(name);
    }

    [Fact]
    public void Open_PackedFrameThatDoesNotUnpack_IsReportedAsUndecodableContent()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        // A frame whose CRC holds but whose packed stream names an entry that does not exist.
        var packed = Stream((EntryType.Info, Json("{\"a\":\"", [0x01, 5], "\"}")));
        var frame = RecordFrame.Encode(FrameKind.Commit, Codec.PackedZstd, 0, 200, Compression.Compress(packed, 3, null));
        var segment = t.SegmentPath(1);
        t.WriteFile(segment, [.. t.ReadFile(segment), .. frame]);

        var e = Assert.ThrowsAny<CorruptArchiveException>(() => t.Open().Dispose());
        Assert.Contains("checksum holds but its content cannot be decoded", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Json(string before, byte[] tokens, string after) =>
        [.. System.Text.Encoding.UTF8.GetBytes(before), .. tokens, .. System.Text.Encoding.UTF8.GetBytes(after)];

    private static byte[] Stream(params (EntryType Type, byte[] Body)[] entries)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (type, body) in entries)
        {
            output.Write([(byte)type]);
            PackedStream.WriteVarint(output, (uint)body.Length);
            output.Write(body);
        }

        return output.WrittenSpan.ToArray();
    }
}
