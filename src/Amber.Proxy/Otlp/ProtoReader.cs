namespace Amber.Proxy.Otlp;

/// <summary>
/// Reads the protobuf wire format, field by field, over one message's bytes: the few OTLP messages the
/// receiver needs are read by hand rather than through generated code (no OpenTelemetry proto package
/// is available to depend on). Every read is bounds-checked; a malformed message throws
/// <see cref="OtlpPayloadException"/> naming <paramref name="what"/>.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data, string what)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    public readonly bool End => position >= data.Length;

    /// <summary>The next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        var field = (int)(tag >> 3);
        if (field <= 0 || tag >> 3 > int.MaxValue)
        {
            throw Bad($"field number {tag >> 3} at byte {position}");
        }

        return (field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Bad("a varint cut short");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Bad("a varint longer than 10 bytes");
    }

    public ulong ReadFixed64()
    {
        var bytes = Take(8);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    public uint ReadFixed32()
    {
        var bytes = Take(4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(data.Length - position))
        {
            throw Bad($"a length of {length} bytes past the end of the message");
        }

        return Take((int)length);
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return Utf8Strict.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw Bad("a string that is not valid UTF-8");
        }
    }

    /// <summary>Skips a field of the given wire type (fields this reader does not need).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Take(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Take(4);
                break;
            default:
                throw Bad($"wire type {wireType} (groups and unknown types are not OTLP)");
        }
    }

    /// <summary>Throws unless the field has the wire type its schema gives it.</summary>
    public readonly void Expect(int field, int wireType, int expected)
    {
        if (wireType != expected)
        {
            throw Bad($"field {field} with wire type {wireType}, expected {expected}");
        }
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > data.Length - position)
        {
            throw Bad("a field cut short");
        }

        var slice = data.Slice(position, n);
        position += n;
        return slice;
    }

    private readonly OtlpPayloadException Bad(string problem) => new($"{what}: {problem}.");

    private static readonly System.Text.UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
