using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Protocols;

/// <summary>What the three protocols share while turning one exchange into nodes: blobs, timings, the model reference, the answer's meta.</summary>
internal sealed class Normalization(RawExchange exchange, string provider)
{
    private readonly List<byte[]> blobs = [];
    private readonly HashSet<string> blobIds = new(StringComparer.Ordinal);

    public RawExchange Exchange { get; } = exchange;

    public IReadOnlyList<byte[]> Blobs => blobs;

    /// <summary>The request as the client sent it, or null when it is not a JSON object.</summary>
    public JsonObject? Request { get; } = ParseObject(exchange.RequestBody.Span);

    /// <summary>True when a response arrived with a 2xx status.</summary>
    public bool Succeeded => Exchange.Status is >= 200 and < 300;

    /// <summary>
    /// A member twice makes a <see cref="JsonObject"/> throw when first read, and invalid UTF-8 in a string makes
    /// reading that string throw: both are refused here, at the parse, so no later read throws (fuzzing found both).
    /// </summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static JsonObject? ParseObject(ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json) || HasLoneSurrogateEscape(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: Strict) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True when a string escapes a lone surrogate (<c>"\ud800"</c>): valid JSON, but reading that string throws.</summary>
    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\ud"u8) < 0 && json.IndexOf("\\uD"u8) < 0)
        {
            return false;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1024 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            return false; // not JSON: the parse below says so
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        return false;
    }

    public static JsonObject? ParseObject(string json) => ParseObject(Encoding.UTF8.GetBytes(json));

    /// <summary>Keeps <paramref name="bytes"/> as a blob and returns the block naming it.</summary>
    public BlobBlock Blob(string kind, byte[] bytes, string? mediaType, string? name = null)
    {
        var id = ContentId.Of(bytes);
        if (blobIds.Add(id))
        {
            blobs.Add(bytes);
        }

        return new BlobBlock(kind, id, mediaType, name, bytes.Length);
    }

    /// <summary>A <c>data:</c> URL's bytes as a blob; any other URL stays an opaque block.</summary>
    public ContentBlock ImageUrl(string url, JsonNode part)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma < 0 ? "" : url[5..comma];
            if (comma > 0 && header.EndsWith(";base64", StringComparison.Ordinal))
            {
                try
                {
                    return Blob("image", Convert.FromBase64String(url[(comma + 1)..]), header[..^7]);
                }
                catch (FormatException)
                {
                }
            }
        }

        return new OpaqueBlock(provider, "image_url", part.DeepClone());
    }

    /// <summary>The block for a base64 payload (Anthropic image or document source), or an opaque block when it is not base64.</summary>
    public ContentBlock Base64(string kind, string? data, string? mediaType, JsonNode part, string itemType)
    {
        if (data is not null)
        {
            try
            {
                return Blob(kind, Convert.FromBase64String(data), mediaType);
            }
            catch (FormatException)
            {
            }
        }

        return new OpaqueBlock(provider, itemType, part.DeepClone());
    }

    /// <summary>The request's parameters: every top-level field except the ones that became nodes.</summary>
    public JsonObject Parameters(params string[] nodeFields)
    {
        var parameters = new JsonObject();
        if (Request is null)
        {
            return parameters;
        }

        foreach (var (name, value) in Request)
        {
            if (!nodeFields.Contains(name))
            {
                parameters[name] = value?.DeepClone();
            }
        }

        return parameters;
    }

    public ModelReference Model(string? resolved, string? fingerprint, string? apiVersion)
        => new()
        {
            Provider = provider,
            Requested = Str(Request, "model"),
            Resolved = resolved,
            Fingerprint = fingerprint,
            ApiVersion = apiVersion,
        };

    /// <summary>Milliseconds from the request to the arrival of the byte at <paramref name="offset"/> of the body (stream events); the first byte's time when the body was compressed.</summary>
    public long? ArrivalMs(int offset)
    {
        if (Exchange.ContentEncoding is not null)
        {
            return Exchange.FirstByteMs is { } f ? (long)Math.Round(f) : null;
        }

        var seen = 0L;
        foreach (var c in Exchange.Chunks)
        {
            seen += c.Length;
            if (seen >= offset)
            {
                return (long)Math.Round(c.AtMs);
            }
        }

        return Exchange.FirstByteMs is { } first ? (long)Math.Round(first) : null;
    }

    /// <summary>The answer node: flags for a cut or empty answer, meta naming the instance, the notice and the provider's ids.</summary>
    public Node Answer(IReadOnlyList<ContentBlock> content, GenerationRecord generation, string? responseId, JsonObject? extraMeta = null)
    {
        var flags = new List<string>();
        if (Exchange.Interrupted)
        {
            flags.Add(NodeFlags.Interrupted);
        }

        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        var meta = new JsonObject { ["instance"] = Exchange.Instance, ["source"] = Exchange.Source };
        if (responseId is not null)
        {
            meta["response_id"] = responseId;
        }

        if ((Exchange.ResponseHeader("x-request-id") ?? Exchange.ResponseHeader("request-id")) is { } requestId)
        {
            meta["request_id"] = requestId;
        }

        if (Exchange.Notice is not null)
        {
            meta["notice"] = Exchange.Notice;
        }

        if (Exchange.Interrupted)
        {
            meta["outcome"] = Exchange.Outcome;
        }

        if (Exchange.Tenant is not null)
        {
            meta["tenant"] = Exchange.Tenant;
        }

        if (Exchange.WasRedacted)
        {
            // The stored bodies differ from what was sent: say so where readers look, and where (raw-exchange.md §3).
            meta["redacted"] = new JsonObject
            {
                ["request"] = new JsonArray(Exchange.Redacted.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["echoes"] = Exchange.RequestEchoes + Exchange.ResponseEchoes,
            };
        }

        if (extraMeta is not null)
        {
            foreach (var (k, v) in extraMeta)
            {
                meta[k] = v?.DeepClone();
            }
        }

        return new Node
        {
            Role = "assistant",
            Content = content,
            Created = Exchange.Started,
            Generation = generation,
            Flags = flags,
            Meta = meta,
        };
    }

    /// <summary>The keys an answer is found by: its instance id, and the provider's response id.</summary>
    public List<string> AnswerKeys(string? responseId)
    {
        // The bare id too, so `amber show inst_…` resolves it (Archive.Resolve accepts keys).
        var keys = new List<string> { InstanceIds.Key(Exchange.Instance), Exchange.Instance };
        if (responseId is not null)
        {
            keys.Add($"response:{provider}:{responseId}");
        }

        return keys;
    }

    /// <summary>A short title from the first user text.</summary>
    public static string? Title(IEnumerable<Node> prompt)
    {
        var text = prompt.Where(n => n.Role == "user").Select(n => n.SearchText).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
        if (text is null)
        {
            return null;
        }

        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 80 ? text : text[..79] + "…";
    }

    /// <summary>Tool-call arguments sent as a JSON string: parsed when they parse, else kept as the string.</summary>
    public static JsonNode? Arguments(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return json;
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: Strict) ?? JsonValue.Create(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    public static string? Str(JsonNode? o, string name)
        => o is JsonObject obj && obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? Long(JsonNode? o, string name)
        => o is JsonObject obj && obj[name] is JsonValue v && v.TryGetValue<long>(out var l) ? l : null;

    /// <summary>A text node, or with no text an empty content list.</summary>
    public static Node Message(string role, IReadOnlyList<ContentBlock> content, JsonObject? meta = null)
        => new() { Role = role, Content = content, Flags = content.Count == 0 ? [NodeFlags.Empty] : [], Meta = meta };
}
