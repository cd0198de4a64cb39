using System.Text.Json.Nodes;
using LLama.Native;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// The engine settings that change llama.cpp's logits (llamasharp.md §A): batch and micro-batch sizes,
/// flash attention and the KV cache types. They are recorded in the model reference and replay uses them
/// as recorded. The context size and thread count do not change results; the context size is recorded too.
/// </summary>
public sealed record LocalEngineSettings
{
    public uint ContextSize { get; init; } = 2048;

    /// <summary>Tokens per decode call during prefill (the prompt is split into chunks of this size).</summary>
    public uint BatchSize { get; init; } = 512;

    public uint UBatchSize { get; init; } = 512;

    public bool FlashAttention { get; init; } = true;

    /// <summary>KV cache element type for K: f32, f16, q8_0 or q4_0.</summary>
    public string TypeK { get; init; } = "f16";

    public string TypeV { get; init; } = "f16";

    /// <summary>Threads; they do not change results and are not recorded.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public JsonObject ToJson() => new()
    {
        ["n_ctx"] = ContextSize,
        ["n_batch"] = BatchSize,
        ["n_ubatch"] = UBatchSize,
        ["flash_attention"] = FlashAttention,
        ["type_k"] = TypeK,
        ["type_v"] = TypeV,
        ["gpu_layers"] = 0,
    };

    /// <summary>Reads settings recorded by <see cref="ToJson"/>; unknown or missing keys are an error naming the key.</summary>
    public static LocalEngineSettings FromJson(JsonObject o) => new()
    {
        ContextSize = Require(o, "n_ctx").GetValue<uint>(),
        BatchSize = Require(o, "n_batch").GetValue<uint>(),
        UBatchSize = Require(o, "n_ubatch").GetValue<uint>(),
        FlashAttention = Require(o, "flash_attention").GetValue<bool>(),
        TypeK = Require(o, "type_k").GetValue<string>(),
        TypeV = Require(o, "type_v").GetValue<string>(),
    };

    internal static GGMLType ParseType(string name) => name switch
    {
        "f32" => GGMLType.GGML_TYPE_F32,
        "f16" => GGMLType.GGML_TYPE_F16,
        "q8_0" => GGMLType.GGML_TYPE_Q8_0,
        "q4_0" => GGMLType.GGML_TYPE_Q4_0,
        _ => throw new ArgumentException($"KV cache type \"{name}\" is not one of f32, f16, q8_0, q4_0."),
    };

    private static JsonNode Require(JsonObject o, string key)
        => o[key] ?? throw new FormatException($"engine settings: \"{key}\" is missing.");
}
