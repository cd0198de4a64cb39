using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>
/// Reads a stored node's JSON into the model in one <see cref="Utf8JsonReader"/> pass, without building a
/// DOM for the node: only the subtrees the model keeps as JSON (the generation's <c>parameters</c>,
/// <c>usage</c> and <c>schedule</c>, a tool call's <c>arguments</c>, an opaque block's <c>value</c>) become
/// <see cref="JsonNode"/>s, and <c>meta</c> is kept as its bytes until it is first read
/// (<see cref="LazyJsonObject"/>). It reads every field as <see cref="Node.FromJson(JsonObject)"/> does (a
/// field of the wrong kind counts as absent where that one ignores it, and fails where that one fails), so
/// both give the same node; property tests hold them to it.
/// </summary>
internal static class StoredNodeReader
{
    // The depth canonical JSON accepts (CanonicalJson), so whatever was stored can be read back.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = Json.JsonLimits.StoredMaxDepth };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Json.JsonLimits.StoredMaxDepth };
    private static readonly IReadOnlyCollection<string> NoFlags = [];

    public static Node Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("node: not a JSON object.");
            }

            var node = ReadNode(ref reader, utf8);

            // The reader itself throws on anything but whitespace after the object.
            if (reader.Read())
            {
                throw new FormatException("node: data after the node's object.");
            }

            return node;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            throw new FormatException($"node: invalid JSON: {e.Message}", e);
        }
    }

    private static Node ReadNode(ref Utf8JsonReader reader, ReadOnlySpan<byte> source)
    {
        string? type = null, parent = null, role = null, created = null;
        List<ContentBlock>? content = null;
        GenerationRecord? generation = null;
        var flags = NoFlags;
        LazyJsonObject? meta = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                content = reader.TokenType == JsonTokenType.StartArray ? ReadBlocks(ref reader, source, "node: a content block is not an object.") : Skip(ref reader, (List<ContentBlock>?)null);
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                role = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("parent"u8))
            {
                parent = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                created = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                type = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("meta"u8))
            {
                meta = LazyObject(ref reader, source);
            }
            else if (reader.ValueTextEquals("generation"u8))
            {
                reader.Read();
                generation = reader.TokenType == JsonTokenType.StartObject ? ReadGeneration(ref reader) : Skip(ref reader, (GenerationRecord?)null);
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                reader.Read();
                flags = reader.TokenType == JsonTokenType.StartArray ? ReadFlags(ref reader) : Skip(ref reader, NoFlags);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (type != Node.RecordType)
        {
            throw new FormatException($"node: type is not \"{Node.RecordType}\".");
        }

        return new Node
        {
            Parent = parent,
            Role = role ?? throw Missing("node", "role"),
            Content = content ?? throw new FormatException("node: missing \"content\" array."),
            Created = created,
            Generation = generation,
            Flags = flags,
            StoredMeta = meta,
        };
    }

    private static List<string> ReadFlags(ref Utf8JsonReader reader)
    {
        var flags = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            flags.Add(reader.TokenType switch
            {
                JsonTokenType.String => StringOf(ref reader),
                JsonTokenType.Null => throw new FormatException("node: a flag is null."),
                _ => throw new FormatException("node: a flag is not a string."),
            });
        }

        return flags;
    }

    /// <summary>Reads an array of content blocks; the reader is on its start and ends on its end.</summary>
    private static List<ContentBlock> ReadBlocks(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, string notAnObject)
    {
        var blocks = new List<ContentBlock>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException(notAnObject);
            }

            blocks.Add(ReadBlock(ref reader, source));
        }

        return blocks;
    }

    private static ContentBlock ReadBlock(ref Utf8JsonReader reader, ReadOnlySpan<byte> source)
    {
        string? type = null, text = null, kind = null, blob = null, mediaType = null, name = null, id = null;
        string? callId = null, signature = null, provider = null, itemType = null;
        long? size = null;
        bool isError = false, redacted = false;

        // "type" sorts after most members, so the members whose reading depends on it are kept as slices.
        Range arguments = default, value = default, content = default;
        bool hasArguments = false, hasValue = false, hasContent = false;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                text = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                kind = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("blob"u8))
            {
                blob = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("media_type"u8))
            {
                mediaType = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                name = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                size = OptLong(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                id = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                callId = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("is_error"u8))
            {
                isError = OptBool(ref reader);
            }
            else if (reader.ValueTextEquals("signature"u8))
            {
                signature = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("redacted"u8))
            {
                redacted = OptBool(ref reader);
            }
            else if (reader.ValueTextEquals("provider"u8))
            {
                provider = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("item_type"u8))
            {
                itemType = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                (arguments, hasArguments) = (ValueRange(ref reader), true);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                (value, hasValue) = (ValueRange(ref reader), true);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                (content, hasContent) = (ValueRange(ref reader), true);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return type switch
        {
            null => throw Missing("content block", "type"),
            TextBlock.Kind => new TextBlock(text ?? throw Missing("text block", "text")),
            BlobBlock.Kind => new BlobBlock(kind ?? throw Missing("blob block", "kind"), blob ?? throw Missing("blob block", "blob"), mediaType, name, size),
            ToolCallBlock.Kind => new ToolCallBlock(id, name ?? throw Missing("tool call block", "name"), hasArguments ? ParseValue(source[arguments]) : null),
            ToolResultBlock.Kind => new ToolResultBlock(callId, hasContent ? ReadNestedBlocks(source[content]) : [], isError),
            ThinkingBlock.Kind => new ThinkingBlock(text ?? string.Empty, signature, redacted),
            OpaqueBlock.Kind => new OpaqueBlock(provider ?? throw Missing("opaque block", "provider"), itemType ?? throw Missing("opaque block", "item_type"), hasValue ? ParseValue(source[value]) : null),
            _ => throw new FormatException($"content block: unknown type \"{type}\"."),
        };
    }

    /// <summary>A tool result's content: an array of blocks, or no blocks if it is not an array.</summary>
    private static List<ContentBlock> ReadNestedBlocks(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        return reader.TokenType == JsonTokenType.StartArray ? ReadBlocks(ref reader, json, "tool result content: a block is not an object.") : [];
    }

    private static JsonNode? ParseValue(ReadOnlySpan<byte> json) => JsonNode.Parse(json, documentOptions: DocumentOptions);

    private static GenerationRecord ReadGeneration(ref Utf8JsonReader reader)
    {
        string? model = null, finishReason = null, state = null;
        JsonObject? parameters = null, usage = null, schedule = null;
        long? seed = null, firstToken = null, total = null;
        int[]? promptTokens = null, outputTokens = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("model"u8))
            {
                model = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                parameters = OptObject(ref reader);
            }
            else if (reader.ValueTextEquals("seed"u8))
            {
                seed = OptLong(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                usage = OptObject(ref reader);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                finishReason = OptString(ref reader);
            }
            else if (reader.ValueTextEquals("timings"u8))
            {
                (firstToken, total) = ReadTimings(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_token_ids"u8))
            {
                promptTokens = OptIntArray(ref reader, "prompt_token_ids");
            }
            else if (reader.ValueTextEquals("output_token_ids"u8))
            {
                outputTokens = OptIntArray(ref reader, "output_token_ids");
            }
            else if (reader.ValueTextEquals("schedule"u8))
            {
                schedule = OptObject(ref reader);
            }
            else if (reader.ValueTextEquals("state"u8))
            {
                state = OptString(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new GenerationRecord
        {
            Model = model ?? throw Missing("generation record", "model"),
            Parameters = parameters,
            Seed = seed,
            Usage = usage,
            FinishReason = finishReason,
            TimeToFirstTokenMs = firstToken,
            TotalMs = total,
            PromptTokenIds = promptTokens,
            OutputTokenIds = outputTokens,
            Schedule = schedule,
            State = state,
        };
    }

    private static (long? FirstToken, long? Total) ReadTimings(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }

        long? firstToken = null, total = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("first_token_ms"u8))
            {
                firstToken = OptLong(ref reader);
            }
            else if (reader.ValueTextEquals("total_ms"u8))
            {
                total = OptLong(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return (firstToken, total);
    }

    private static int[]? OptIntArray(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var values = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var value = LongOf(ref reader) ?? throw new FormatException($"field \"{name}\"[{values.Count}] is not an integer.");
            values.Add((int)value);
        }

        return values.ToArray();
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static T Skip<T>(ref Utf8JsonReader reader, T result)
    {
        reader.Skip();
        return result;
    }

    /// <summary>The bytes of the property's value, which the reader then steps over.</summary>
    private static Range ValueRange(ref Utf8JsonReader reader)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Range(start, (int)reader.BytesConsumed);
    }

    private static string? OptString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? StringOf(ref reader) : Skip(ref reader, (string?)null);
    }

    /// <summary>
    /// The current string token. An escaped one (any text with a line break) is unescaped straight into a pooled
    /// char buffer: <see cref="Utf8JsonReader.GetString"/> would unescape into a pooled byte buffer, clear it and
    /// transcode, about twice the work.
    /// </summary>
    private static string StringOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.GetString()!;
        }

        // Unescaped UTF-16 never has more code units than the escaped UTF-8 has bytes.
        var length = reader.ValueSpan.Length;
        if (length <= 256)
        {
            Span<char> small = stackalloc char[256];
            return new string(small[..reader.CopyString(small)]);
        }

        var rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            return new string(rented, 0, reader.CopyString(rented));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static bool OptBool(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.True || Skip(ref reader, false);
    }

    private static long? OptLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return LongOf(ref reader);
    }

    /// <summary>The current value as a whole number the way <see cref="JsonFields.OptLong"/> reads it (a fraction is truncated), or null.</summary>
    private static long? LongOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return null;
        }

        if (reader.TryGetInt64(out var l))
        {
            return l;
        }

        return reader.TryGetDouble(out var d) ? (long)d : null;
    }

    private static JsonObject? OptObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.StartObject ? (JsonObject)JsonNode.Parse(ref reader)! : Skip(ref reader, (JsonObject?)null);
    }

    /// <summary>An object value kept as its bytes, parsed on first use (the reader has checked it is well formed); null for any other value.</summary>
    private static LazyJsonObject? LazyObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> source)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new LazyJsonObject(source[start..(int)reader.BytesConsumed].ToArray());
    }

    private static FormatException Missing(string what, string name) => new($"{what}: missing or non-string field \"{name}\".");
}
