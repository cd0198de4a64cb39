using System.Text.Json.Nodes;
using Amber.Core.Hashing;

namespace Amber.Core.Model;

/// <summary>
/// A precise, content-addressed pointer to the model that produced a turn. Hosted models are named by
/// provider, requested and resolved ids, fingerprint and API version; local models by weights digest,
/// tokenizer and template digests, and the engine build and settings.
/// </summary>
public sealed record ModelReference
{
    public const string RecordType = "amber.model/v1";

    /// <summary>openai, anthropic, local, or the export's origin (chatgpt, claude.ai, …).</summary>
    public required string Provider { get; init; }

    /// <summary>The model name as requested or as the source states it.</summary>
    public string? Requested { get; init; }

    /// <summary>The exact snapshot the provider reports having used.</summary>
    public string? Resolved { get; init; }

    public string? Fingerprint { get; init; }

    public string? ApiVersion { get; init; }

    public string? WeightsSha256 { get; init; }

    public string? TokenizerSha256 { get; init; }

    public string? TemplateSha256 { get; init; }

    public string? EngineName { get; init; }

    public string? EngineVersion { get; init; }

    /// <summary>The native build (e.g. the AVX level) — exact replay depends on it.</summary>
    public string? EngineBuild { get; init; }

    /// <summary>Attention, KV cache types, batch and micro-batch sizes, and similar engine settings.</summary>
    public JsonObject? Settings { get; init; }

    /// <summary>
    /// Set when the source does not state the model for this turn and the importer inferred it: how (e.g.
    /// "default_model_slug", the conversation's default). Absent when the source names the turn's model.
    /// </summary>
    public string? Inferred { get; init; }

    public string Id => ContentId.OfCanonical(ToJson());

    /// <summary>A short human name: resolved id, else requested id, else the provider.</summary>
    public string DisplayName => Resolved ?? Requested ?? Provider;

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = RecordType, ["provider"] = Provider };
        JsonFields.SetIf(o, "requested", Requested);
        JsonFields.SetIf(o, "resolved", Resolved);
        JsonFields.SetIf(o, "fingerprint", Fingerprint);
        JsonFields.SetIf(o, "api_version", ApiVersion);
        JsonFields.SetIf(o, "weights_sha256", WeightsSha256);
        JsonFields.SetIf(o, "tokenizer_sha256", TokenizerSha256);
        JsonFields.SetIf(o, "template_sha256", TemplateSha256);
        if (EngineName is not null || EngineVersion is not null || EngineBuild is not null)
        {
            var e = new JsonObject();
            JsonFields.SetIf(e, "name", EngineName);
            JsonFields.SetIf(e, "version", EngineVersion);
            JsonFields.SetIf(e, "build", EngineBuild);
            o["engine"] = e;
        }

        JsonFields.SetIf(o, "settings", Settings);
        JsonFields.SetIf(o, "inferred", Inferred);
        return o;
    }

    public static ModelReference FromJson(JsonObject o)
    {
        if (JsonFields.OptString(o, "type") != RecordType)
        {
            throw new FormatException($"model reference: type is not \"{RecordType}\".");
        }

        var engine = JsonFields.OptObject(o, "engine");
        return new ModelReference
        {
            Provider = JsonFields.RequireString(o, "provider", "model reference"),
            Requested = JsonFields.OptString(o, "requested"),
            Resolved = JsonFields.OptString(o, "resolved"),
            Fingerprint = JsonFields.OptString(o, "fingerprint"),
            ApiVersion = JsonFields.OptString(o, "api_version"),
            WeightsSha256 = JsonFields.OptString(o, "weights_sha256"),
            TokenizerSha256 = JsonFields.OptString(o, "tokenizer_sha256"),
            TemplateSha256 = JsonFields.OptString(o, "template_sha256"),
            EngineName = engine is null ? null : JsonFields.OptString(engine, "name"),
            EngineVersion = engine is null ? null : JsonFields.OptString(engine, "version"),
            EngineBuild = engine is null ? null : JsonFields.OptString(engine, "build"),
            Settings = JsonFields.OptObject(o, "settings")?.DeepClone().AsObject(),
            Inferred = JsonFields.OptString(o, "inferred"),
        };
    }
}
