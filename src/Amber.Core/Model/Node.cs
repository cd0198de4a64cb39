using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;

namespace Amber.Core.Model;

/// <summary>
/// One message of a conversation tree. Its id is the SHA-256 of its canonical JSON, which includes the
/// parent's id — so a root-to-leaf path is a hash chain and a shared prefix is stored once.
/// </summary>
public sealed record Node
{
    public const string RecordType = "amber.node/v1";

    /// <summary>The parent node's id, or null for a root.</summary>
    public string? Parent { get; init; }

    /// <summary>system, developer, user, assistant, tool, or the source's own role name.</summary>
    public required string Role { get; init; }

    public IReadOnlyList<ContentBlock> Content { get; init; } = [];

    /// <summary>When the message was written or generated (RFC 3339, UTC), if known.</summary>
    public string? Created { get; init; }

    public GenerationRecord? Generation { get; init; }

    /// <summary>hidden, system, empty, interrupted, … (see <see cref="NodeFlags"/>).</summary>
    public IReadOnlyCollection<string> Flags { get; init; } = [];

    private readonly JsonObject? meta;
    private readonly LazyJsonObject? storedMeta;

    /// <summary>Source-specific fields kept with the node (source message id, author name, …).</summary>
    public JsonObject? Meta
    {
        get => meta ?? storedMeta?.Value;
        init
        {
            meta = value;
            storedMeta = null;
        }
    }

    /// <summary>The meta of a node read from storage, parsed when <see cref="Meta"/> is first read.</summary>
    internal LazyJsonObject? StoredMeta
    {
        get => storedMeta;
        init
        {
            storedMeta = value;
            meta = null;
        }
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["type"] = RecordType,
            ["parent"] = Parent,
            ["role"] = Role,
            ["content"] = new JsonArray(Content.Select(c => (JsonNode)c.ToJson()).ToArray()),
        };
        JsonFields.SetIf(o, "created", Created);
        if (Generation is not null)
        {
            o["generation"] = Generation.ToJson();
        }

        if (Flags.Count > 0)
        {
            o["flags"] = new JsonArray(Flags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(f => (JsonNode)f).ToArray());
        }

        JsonFields.SetIf(o, "meta", Meta);
        return o;
    }

    /// <summary>The canonical bytes that are stored and hashed.</summary>
    public byte[] ToCanonicalBytes() => CanonicalJson.Canonicalize(ToJson());

    public string ComputeId() => ContentId.Of(ToCanonicalBytes());

    /// <summary>Every blob block of the node, including those nested inside tool results.</summary>
    public IEnumerable<BlobBlock> BlobReferences()
    {
        var stack = new Stack<ContentBlock>(Content.Reverse());
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case BlobBlock b:
                    yield return b;
                    break;
                case ToolResultBlock r:
                    foreach (var inner in r.Content.Reverse())
                    {
                        stack.Push(inner);
                    }

                    break;
            }
        }
    }

    /// <summary>Concatenated searchable text of the node's content.</summary>
    public string SearchText => string.Join('\n', Content.Select(c => c.SearchText).Where(t => !string.IsNullOrEmpty(t)));

    public static Node FromJson(JsonObject o) => FromJson(o, owned: false);

    /// <param name="o">The node's JSON.</param>
    /// <param name="owned">True when <paramref name="o"/> was parsed for this call alone: its <c>meta</c> is then taken over rather than copied.</param>
    private static Node FromJson(JsonObject o, bool owned)
    {
        if (JsonFields.OptString(o, "type") != RecordType)
        {
            throw new FormatException($"node: type is not \"{RecordType}\".");
        }

        var content = o["content"] as JsonArray ?? throw new FormatException("node: missing \"content\" array.");
        return new Node
        {
            Parent = JsonFields.OptString(o, "parent"),
            Role = JsonFields.RequireString(o, "role", "node"),
            Content = content.Select(b => ContentBlock.FromJson(b as JsonObject ?? throw new FormatException("node: a content block is not an object."))).ToList(),
            Created = JsonFields.OptString(o, "created"),
            Generation = JsonFields.OptObject(o, "generation") is { } g ? GenerationRecord.FromJson(g) : null,
            Flags = (o["flags"] as JsonArray)?.Select(f => f?.GetValue<string>() ?? throw new FormatException("node: a flag is null.")).ToList() ?? [],
            Meta = JsonFields.OptObject(o, "meta") is { } meta ? (owned && o.Remove("meta") ? meta : meta.DeepClone().AsObject()) : null,
        };
    }

    public static Node FromCanonicalBytes(ReadOnlySpan<byte> bytes)
        => FromJson(CanonicalJson.Parse(bytes) as JsonObject ?? throw new FormatException("node: not a JSON object."), owned: true);

    /// <summary>
    /// Reads a node the archive itself stored (its frame checksum already checked on read), in one pass of a
    /// <see cref="System.Text.Json.Utf8JsonReader"/> that builds a <see cref="JsonNode"/> only for the fields kept as
    /// JSON (<see cref="StoredNodeReader"/>). It gives the same node as <see cref="FromCanonicalBytes"/> but skips
    /// that one's duplicate-member check and its DOM, which together cost several times the read of a large
    /// conversation; <c>amber verify</c> still re-checks every stored node strictly.
    /// </summary>
    public static Node FromStoredBytes(ReadOnlySpan<byte> bytes) => StoredNodeReader.Read(bytes);
}
