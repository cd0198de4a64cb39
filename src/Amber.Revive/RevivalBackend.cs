using System.Text.Json.Nodes;
using Amber.Core.Model;
using Microsoft.Extensions.AI;

namespace Amber.Revive;

/// <summary>
/// A chat backend to revive or compare on: an <see cref="IChatClient"/> plus what Amber records about it.
/// A backend that knows more than MEAI carries (the local engine: token ids, schedule, T2 model reference)
/// puts it in <see cref="ChatResponse.AdditionalProperties"/> under <see cref="GenerationProperty"/> and
/// <see cref="ModelProperty"/> as JSON objects, and Amber records those instead.
/// </summary>
public sealed record RevivalBackend(string Name, string Provider, string Model, IChatClient Client)
{
    public const string GenerationProperty = "amber.generation";
    public const string ModelProperty = "amber.model";
    public const string StateProperty = "amber.state";

    /// <summary>Sampling options sent with every request (seed, temperature, max tokens …).</summary>
    public ChatOptions Options { get; init; } = new();

    /// <summary>The model reference of the model that answered: the backend's own if it gave one, else from the response.</summary>
    public ModelReference ModelOf(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.AdditionalProperties?.TryGetValue(ModelProperty, out var m) == true && m is JsonObject json)
        {
            return ModelReference.FromJson(Reparse(json));
        }

        return new ModelReference { Provider = Provider, Requested = Model, Resolved = response.ModelId };
    }

    /// <summary>The generation record for the response's answer.</summary>
    public GenerationRecord GenerationOf(ChatResponse response, ModelReference model, long totalMs)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(model);
        if (response.AdditionalProperties?.TryGetValue(GenerationProperty, out var g) == true && g is JsonObject json)
        {
            return GenerationRecord.FromJson(Reparse(json)) with { Model = model.Id };
        }

        var parameters = new JsonObject { ["model"] = Model };
        if (Options.Temperature is { } t)
        {
            parameters["temperature"] = t.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Options.MaxOutputTokens is { } max)
        {
            parameters["max_tokens"] = max;
        }

        JsonObject? usage = null;
        if (response.Usage is { } u)
        {
            usage = [];
            if (u.InputTokenCount is { } i)
            {
                usage["input_tokens"] = i;
            }

            if (u.OutputTokenCount is { } o)
            {
                usage["output_tokens"] = o;
            }
        }

        return new GenerationRecord
        {
            Model = model.Id,
            Parameters = parameters,
            Seed = Options.Seed,
            Usage = usage,
            FinishReason = response.FinishReason?.Value,
            TotalMs = totalMs,
        };
    }

    // Values built in memory (JsonValue of int) read back differently from parsed ones; the records are read as stored.
    private static JsonObject Reparse(JsonObject json) => (JsonObject)JsonNode.Parse(json.ToJsonString())!;
}
