using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>
/// How a generated turn came to be: the model reference, every request parameter, the seed, usage,
/// finish reason, timings, token ids where known, and the saved inference state (T1) if any.
/// </summary>
public sealed record GenerationRecord
{
    /// <summary>The content id of the <see cref="ModelReference"/> that produced the turn.</summary>
    public required string Model { get; init; }

    /// <summary>Every request parameter as sent (temperature, top_p, max_tokens, tools, …), seed included.</summary>
    public JsonObject? Parameters { get; init; }

    public long? Seed { get; init; }

    /// <summary>Usage as reported (input/output/cached tokens, …).</summary>
    public JsonObject? Usage { get; init; }

    public string? FinishReason { get; init; }

    /// <summary>Milliseconds from request to the first token.</summary>
    public long? TimeToFirstTokenMs { get; init; }

    /// <summary>Milliseconds from request to the last byte.</summary>
    public long? TotalMs { get; init; }

    public IReadOnlyList<int>? PromptTokenIds { get; init; }

    public IReadOnlyList<int>? OutputTokenIds { get; init; }

    /// <summary>The sampler schedule and decode plan (local engines), kept as given.</summary>
    public JsonObject? Schedule { get; init; }

    /// <summary>Content id of the saved inference state (KV cache) at the end of the turn.</summary>
    public string? State { get; init; }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["model"] = Model };
        JsonFields.SetIf(o, "parameters", Parameters);
        JsonFields.SetIf(o, "seed", Seed);
        JsonFields.SetIf(o, "usage", Usage);
        JsonFields.SetIf(o, "finish_reason", FinishReason);
        if (TimeToFirstTokenMs is not null || TotalMs is not null)
        {
            var t = new JsonObject();
            JsonFields.SetIf(t, "first_token_ms", TimeToFirstTokenMs);
            JsonFields.SetIf(t, "total_ms", TotalMs);
            o["timings"] = t;
        }

        if (PromptTokenIds is not null)
        {
            o["prompt_token_ids"] = new JsonArray(PromptTokenIds.Select(i => (JsonNode)i).ToArray());
        }

        if (OutputTokenIds is not null)
        {
            o["output_token_ids"] = new JsonArray(OutputTokenIds.Select(i => (JsonNode)i).ToArray());
        }

        JsonFields.SetIf(o, "schedule", Schedule);
        JsonFields.SetIf(o, "state", State);
        return o;
    }

    public static GenerationRecord FromJson(JsonObject o)
    {
        var timings = JsonFields.OptObject(o, "timings");
        return new GenerationRecord
        {
            Model = JsonFields.RequireString(o, "model", "generation record"),
            Parameters = JsonFields.OptObject(o, "parameters")?.DeepClone().AsObject(),
            Seed = JsonFields.OptLong(o, "seed"),
            Usage = JsonFields.OptObject(o, "usage")?.DeepClone().AsObject(),
            FinishReason = JsonFields.OptString(o, "finish_reason"),
            TimeToFirstTokenMs = timings is null ? null : JsonFields.OptLong(timings, "first_token_ms"),
            TotalMs = timings is null ? null : JsonFields.OptLong(timings, "total_ms"),
            PromptTokenIds = JsonFields.OptIntArray(o, "prompt_token_ids"),
            OutputTokenIds = JsonFields.OptIntArray(o, "output_token_ids"),
            Schedule = JsonFields.OptObject(o, "schedule")?.DeepClone().AsObject(),
            State = JsonFields.OptString(o, "state"),
        };
    }
}
