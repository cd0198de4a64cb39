using System.Text.Json;

namespace Amber.Import.Formats.ChatApps;

/// <summary>
/// The exact bytes of each element of one array member of a top-level object (Chatbot UI's "history", Grok's
/// "conversations"), so that each element's raw blob is the source's own bytes.
/// </summary>
internal static class JsonArrayMember
{
    /// <summary>The elements of <paramref name="name"/> with their offsets in <paramref name="bytes"/>; empty when the member is absent or not an array.</summary>
    /// <exception cref="JsonException">The bytes are not valid JSON.</exception>
    public static List<(ReadOnlyMemory<byte> Bytes, long Offset)> Elements(ReadOnlyMemory<byte> bytes, ReadOnlySpan<byte> name)
    {
        var into = new List<(ReadOnlyMemory<byte>, long)>();
        var reader = new Utf8JsonReader(bytes.Span, new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return into;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMember = reader.ValueTextEquals(name);
            reader.Read();
            if (!isMember || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = reader.TokenStartIndex;
                reader.Skip();
                into.Add((bytes[(int)start..(int)reader.BytesConsumed], start));
            }

            break;
        }

        return into;
    }
}
