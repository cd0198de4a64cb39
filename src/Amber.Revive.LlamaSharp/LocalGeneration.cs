using System.Text.Json.Nodes;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// One local generation: the exact prompt and output token ids, the text, why it stopped, the schedule
/// it followed, and (when frozen) the compressed state blob at its end.
/// </summary>
public sealed record LocalGeneration
{
    public required IReadOnlyList<int> PromptTokens { get; init; }

    public required IReadOnlyList<int> OutputTokens { get; init; }

    /// <summary>The output decoded to text (an end-of-generation token contributes nothing).</summary>
    public required string Text { get; init; }

    /// <summary>"stop" (end-of-generation token) or "length" (max tokens reached).</summary>
    public required string FinishReason { get; init; }

    public required JsonObject Schedule { get; init; }

    public required SamplerSettings Sampler { get; init; }

    public long TimeToFirstTokenMs { get; init; }

    public long TotalMs { get; init; }

    /// <summary>The frozen state (a <see cref="FrozenState"/> container, zstd-compressed), or null.</summary>
    public byte[]? State { get; init; }
}
