using System.Globalization;
using System.Text.Json.Nodes;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// Every sampler setting of a local generation. A temperature of 0 is greedy. Seeded sampling uses a new
/// sampler for every step, seeded with <c>(uint)(Seed + step)</c>, so a run can be replayed or resumed from
/// any step (the sampler's RNG is not part of llama.cpp's saved state).
/// </summary>
public sealed record SamplerSettings
{
    public const string SeedingScheme = "per-step: uint32(seed + step), step 0 = first output token, new sampler each step";

    public float Temperature { get; init; }

    public int TopK { get; init; } = 40;

    public float TopP { get; init; } = 0.95f;

    public float MinP { get; init; } = 0.05f;

    public float RepeatPenalty { get; init; } = 1f;

    public long Seed { get; init; }

    public int MaxTokens { get; init; } = 128;

    public bool IsGreedy => Temperature <= 0;

    public uint StepSeed(int step) => unchecked((uint)(Seed + step));

    public JsonObject ToJson() => new()
    {
        ["kind"] = IsGreedy ? "greedy" : "default",
        ["temperature"] = Num(Temperature),
        ["top_k"] = TopK,
        ["top_p"] = Num(TopP),
        ["min_p"] = Num(MinP),
        ["repeat_penalty"] = Num(RepeatPenalty),
        ["max_tokens"] = MaxTokens,
        ["seeding"] = SeedingScheme,
    };

    public static SamplerSettings FromJson(JsonObject o, long seed) => new()
    {
        Temperature = ParseNum(o, "temperature"),
        TopK = (o["top_k"] ?? throw Missing("top_k")).GetValue<int>(),
        TopP = ParseNum(o, "top_p"),
        MinP = ParseNum(o, "min_p"),
        RepeatPenalty = ParseNum(o, "repeat_penalty"),
        MaxTokens = (o["max_tokens"] ?? throw Missing("max_tokens")).GetValue<int>(),
        Seed = seed,
    };

    // Floats are recorded as their shortest round-trip decimal string, so the JSON never depends on
    // float-to-double widening (0.9f would otherwise read back as 0.8999999761581421).
    private static string Num(float f) => f.ToString("R", CultureInfo.InvariantCulture);

    private static float ParseNum(JsonObject o, string key)
        => float.Parse((o[key] ?? throw Missing(key)).GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static FormatException Missing(string key) => new($"sampler settings: \"{key}\" is missing.");
}
