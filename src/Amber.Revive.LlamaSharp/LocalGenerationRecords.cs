using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Revive.LlamaSharp;

/// <summary>The T2 generation record of a local generation.</summary>
public static class LocalGenerationRecords
{
    public static GenerationRecord ToRecord(this LocalGeneration g, LocalModel model, string? stateBlobId = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(model);
        var s = g.Sampler;
        return new GenerationRecord
        {
            Model = model.Reference.Id,
            Parameters = new JsonObject
            {
                ["model"] = model.Name,
                ["temperature"] = s.Temperature.ToString("R", CultureInfo.InvariantCulture),
                ["top_k"] = s.TopK,
                ["top_p"] = s.TopP.ToString("R", CultureInfo.InvariantCulture),
                ["min_p"] = s.MinP.ToString("R", CultureInfo.InvariantCulture),
                ["max_tokens"] = s.MaxTokens,
                ["seed"] = s.Seed,
            },
            Seed = s.Seed,
            Usage = new JsonObject { ["prompt_tokens"] = g.PromptTokens.Count, ["completion_tokens"] = g.OutputTokens.Count },
            FinishReason = g.FinishReason,
            TimeToFirstTokenMs = g.TimeToFirstTokenMs,
            TotalMs = g.TotalMs,
            PromptTokenIds = g.PromptTokens,
            OutputTokenIds = g.OutputTokens,
            Schedule = g.Schedule.DeepClone().AsObject(),
            State = stateBlobId,
        };
    }
}
