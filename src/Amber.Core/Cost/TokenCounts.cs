using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Cost;

/// <summary>
/// The input and output tokens of one generated turn, read from its usage as the provider or export reported it
/// (docs/format/hash-contract.md, <c>generation.usage</c>). The one rule for which usage fields count; the index stores
/// its result per node and <c>amber cost</c> prices it.
/// </summary>
/// <param name="Input">Prompt tokens billed at the input rate.</param>
/// <param name="Output">Generated tokens billed at the output rate (reasoning tokens included where reported apart).</param>
public readonly record struct TokenCounts(long Input, long Output)
{
    // Input: OpenAI Chat (prompt_tokens, cached tokens included), Anthropic and OpenAI Responses (input_tokens, which
    // for Anthropic excludes cache reads: those are billed at a tenth and left out, so spend is never overstated),
    // Gemini API (promptTokenCount), Gemini CLI (input).
    private static readonly string[] InputFields = ["prompt_tokens", "input_tokens", "promptTokenCount", "input"];

    // Anthropic's cache writes are input the provider bills on top of input_tokens.
    private static readonly string[] ExtraInputFields = ["cache_creation_input_tokens"];

    private static readonly string[] OutputFields = ["completion_tokens", "output_tokens", "candidatesTokenCount", "output"];

    // Gemini reports thinking tokens beside the candidates; OpenAI and Anthropic count them inside the output already.
    private static readonly string[] ExtraOutputFields = ["thoughtsTokenCount", "thoughts"];

    /// <summary>The counts in <paramref name="usage"/>, or null when it names neither input nor output tokens.</summary>
    public static TokenCounts? Read(JsonObject? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var input = First(usage, InputFields);
        var output = First(usage, OutputFields);
        if (input is null && output is null)
        {
            return null;
        }

        return new TokenCounts(
            (input ?? 0) + ExtraInputFields.Sum(f => Number(usage, f) ?? 0),
            (output ?? 0) + ExtraOutputFields.Sum(f => Number(usage, f) ?? 0));
    }

    private static long? First(JsonObject usage, string[] fields)
    {
        foreach (var f in fields)
        {
            if (Number(usage, f) is { } n)
            {
                return n;
            }
        }

        return null;
    }

    private static long? Number(JsonObject usage, string field)
        => usage[field] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 0 ? n : null;
}
