using System.Text.Json.Nodes;
using Amber.Proxy.Secrets;

namespace Amber.Proxy.Otlp;

/// <summary>
/// What of a span's attributes is stored. Message attributes are conversation content and kept whole; of
/// any other attribute (resource and event ones included), one named like a credential or a header
/// (<c>http.request.header.authorization</c>, <c>api_key</c>…) or whose value is shaped like a key is
/// dropped, and only its name listed (the gateway's rule for headers and request bodies,
/// <see cref="CredentialRules"/>).
/// </summary>
internal static class SpanRedaction
{
    private static readonly HashSet<string> Content = new(StringComparer.Ordinal)
    {
        "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.event.content",
        "gen_ai.prompt", "gen_ai.completion",
    };

    /// <summary>A copy of <paramref name="attributes"/> without secrets; the dropped names (prefixed with <paramref name="where"/>) go to <paramref name="removed"/>.</summary>
    public static JsonObject Redact(JsonObject attributes, string where, List<string> removed)
    {
        var kept = new JsonObject();
        foreach (var (name, value) in attributes)
        {
            if (IsContent(name))
            {
                kept[name] = value?.DeepClone();
            }
            else if (IsSecretName(name) || ContainsKey(value))
            {
                removed.Add(where + name);
            }
            else
            {
                kept[name] = value is JsonObject o ? Redact(o, $"{where}{name}.", removed) : value?.DeepClone();
            }
        }

        return kept;
    }

    private static bool IsContent(string name)
        => Content.Contains(name) || name.StartsWith("gen_ai.prompt.", StringComparison.Ordinal) || name.StartsWith("gen_ai.completion.", StringComparison.Ordinal);

    private static bool IsSecretName(string name)
        => CredentialRules.IsCredentialName(name)
            || name.Contains(".header.", StringComparison.OrdinalIgnoreCase) || name.Contains(".headers.", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".headers", StringComparison.OrdinalIgnoreCase);

    private static bool ContainsKey(JsonNode? value) => value switch
    {
        JsonValue v => v.TryGetValue<string>(out var s) && CredentialRules.LooksLikeKey(s),
        JsonArray a => a.Any(ContainsKey),
        _ => false,
    };
}
