using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Capture;

/// <summary>
/// The key under which an answer is found again when a later call sends it back as part of its history.
/// A client returns an answer in its own shape (no thinking, no timings, tool arguments re-serialized), so
/// the key covers only what survives the round trip: the parent, the role, the text, the tool calls and
/// results, and blob references.
/// </summary>
public static class StitchKey
{
    public const string Prefix = "stitch:";

    /// <param name="parent">The node the message follows, or null at the root.</param>
    /// <param name="tenant">The tenant, which keeps roots apart.</param>
    /// <param name="message">The message as recorded or as sent back.</param>
    public static string Of(string? parent, string? tenant, Node message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var o = new JsonObject
        {
            ["parent"] = parent ?? "root:" + (tenant ?? ""),
            ["role"] = message.Role,
            ["content"] = Project(message.Content),
        };
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Canonicalize(o)));
    }

    private static JsonObject Project(IReadOnlyList<ContentBlock> blocks)
    {
        var text = new StringBuilder();
        var calls = new JsonArray();
        var results = new JsonArray();
        var blobs = new JsonArray();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case TextBlock t:
                    text.Append(t.Text);
                    break;
                case ToolCallBlock c:
                    calls.Add(new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["arguments"] = Arguments(c.Arguments) });
                    break;
                case ToolResultBlock r:
                    results.Add(new JsonObject { ["id"] = r.CallId, ["content"] = Project(r.Content), ["error"] = r.IsError });
                    break;
                case BlobBlock b:
                    blobs.Add(b.Blob);
                    break;
                default:
                    // Thinking and provider-opaque items are not sent back reliably; they do not identify the message.
                    break;
            }
        }

        return new JsonObject { ["text"] = text.ToString().Trim(), ["calls"] = calls, ["results"] = results, ["blobs"] = blobs };
    }

    /// <summary>Arguments compare as JSON values whether they arrive as an object or as a JSON string.</summary>
    private static JsonNode? Arguments(JsonNode? arguments)
    {
        if (arguments is JsonValue v && v.TryGetValue<string>(out var s))
        {
            try
            {
                return JsonNode.Parse(s) ?? JsonValue.Create(s);
            }
            catch (JsonException)
            {
                return JsonValue.Create(s);
            }
        }

        return arguments?.DeepClone();
    }
}
