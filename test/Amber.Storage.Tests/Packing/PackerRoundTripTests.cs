using Amber.Storage.Format;
using Amber.Storage.Format.Packing;

namespace Amber.Storage.Tests.Packing;

/// <summary>unpack(pack(x)) == x for seeded random payloads, and the tokens are really used.</summary>
public sealed class PackerRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Pack_RandomPayloads_UnpacksToTheSameBytesAndUsesTokens(int seed)
    {
        var r = new Random(seed);
        var strings = 0;
        var findable = 0;
        for (var round = 0; round < 150; round++)
        {
            var payload = PackedPayloads.Build(r, out var f);
            findable += f;
            var packed = Packer.TryPack(payload);
            Assert.NotNull(packed);
            Assert.True(packed.Length < payload.Length);
            Assert.Equal(payload, Unpacker.Unpack(packed, payload.Length));
            strings += CountStringTokens(packed);
        }

        // Every node text of at least 24 bytes that is part of a blob literal is found (the window index guarantees it).
        Assert.True(findable > 50);
        Assert.True(strings >= findable, $"{strings} string tokens for {findable} findable texts");
    }

    [Fact]
    public void Pack_NoBlob_StillDropsIdsAndRoundTrips()
    {
        var r = new Random(9);
        var payload = PackedPayloads.Build(r, out _);
        var entries = CommitPayload.Read(payload);
        var withoutBlob = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var e in entries.Where(e => e.Type != EntryType.Blob))
        {
            CommitPayload.WriteEntry(withoutBlob, e.Type, e.Body.Span);
        }

        var bytes = withoutBlob.WrittenSpan.ToArray();
        var packed = Packer.TryPack(bytes);
        Assert.NotNull(packed);
        Assert.Equal(bytes, Unpacker.Unpack(packed, bytes.Length));
    }

    [Fact]
    public void Pack_JsonEntryWithAControlByte_IsNotPacked()
    {
        var payload = new System.Buffers.ArrayBufferWriter<byte>();
        CommitPayload.WriteEntry(payload, EntryType.Info, "{\"a\":\"\u0001\"}"u8);
        Assert.Null(Packer.TryPack(payload.WrittenSpan.ToArray()));
    }

    /// <summary>String tokens in the packed stream's JSON entries (walks the entries, so blob bytes are not counted).</summary>
    internal static int CountStringTokens(byte[] packed)
    {
        var count = 0;
        var pos = 0;
        while (pos < packed.Length)
        {
            var type = (EntryType)packed[pos++];
            var len = PackedStream.ReadVarint(packed, ref pos, "length");
            if (PackedStream.IsJson(type))
            {
                var body = packed.AsSpan(pos, len);
                for (var i = 0; i < body.Length; i++)
                {
                    if (body[i] == PackedStream.DigestToken)
                    {
                        i += 32;
                    }
                    else if (body[i] is PackedStream.IdToken or PackedStream.NodesDigestToken)
                    {
                        var p = i + 1;
                        PackedStream.ReadVarint(body, ref p, "k");
                        i = p - 1;
                    }
                    else if (body[i] == PackedStream.StringToken)
                    {
                        count++;
                        var p = i + 1;
                        PackedStream.ReadVarint(body, ref p, "k");
                        var depth = PackedStream.ReadVarint(body, ref p, "d");
                        for (var d = 0; d < depth + 2; d++)
                        {
                            PackedStream.ReadVarint(body, ref p, "v");
                        }

                        i = p - 1;
                    }
                }
            }

            pos += len;
        }

        return count;
    }
}
