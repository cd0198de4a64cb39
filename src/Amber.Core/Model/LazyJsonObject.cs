using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>
/// A JSON object kept as its UTF-8 bytes and parsed on first use, once, whichever thread asks first. A stored
/// node's <c>meta</c> is often half of its bytes and most readers of a conversation never open it.
/// </summary>
internal sealed class LazyJsonObject
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Json.JsonLimits.StoredMaxDepth };
    private byte[]? json;
    private JsonObject? value;

    /// <param name="json">The bytes of one JSON object, already checked to be well formed.</param>
    public LazyJsonObject(byte[] json) => this.json = json;

    public JsonObject Value => Volatile.Read(ref value) ?? Parse();

    private JsonObject Parse()
    {
        var bytes = Volatile.Read(ref json);
        if (bytes is null)
        {
            return Volatile.Read(ref value)!; // another thread parsed it: the value is published before the bytes are dropped
        }

        var parsed = (JsonObject)JsonNode.Parse(bytes, documentOptions: DocumentOptions)!;
        var winner = Interlocked.CompareExchange(ref value, parsed, null) ?? parsed;
        Volatile.Write(ref json, null);
        return winner;
    }
}
