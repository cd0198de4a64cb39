using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using ZstdSharp;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// The frozen-state blob (docs/format/frozen-state.md): zstd of
/// <c>"AMBERKV1" | u32 LE header length | header (canonical JSON) | llama.cpp state bytes</c>.
/// The header names the model and engine it was saved under, the tokens the KV cache holds, the pending
/// token (sampled, not yet decoded: the state has no logits), the next sampler step, and the SHA-256 of
/// the state bytes and of the logits after decoding the pending token, so a thaw can prove it is exact.
/// </summary>
public sealed record FrozenState
{
    public const string RecordType = "amber.llama-state/v1";
    private static readonly byte[] Magic = "AMBERKV1"u8.ToArray();

    public required string Model { get; init; }

    public required string WeightsSha256 { get; init; }

    public required string EngineVersion { get; init; }

    public required string EngineBuild { get; init; }

    public required JsonObject Settings { get; init; }

    /// <summary>Every token the KV cache holds, followed by the pending token.</summary>
    public required IReadOnlyList<int> Tokens { get; init; }

    /// <summary>The absolute sampler step of the token after the pending one.</summary>
    public required int NextStep { get; init; }

    public required string StateSha256 { get; init; }

    /// <summary>sha256 of the logits after decoding the pending token at position Tokens.Count − 1.</summary>
    public required string NextLogitsSha256 { get; init; }

    public required byte[] StateBytes { get; init; }

    public int PendingToken => Tokens[^1];

    public int CachedTokens => Tokens.Count - 1;

    public JsonObject Header() => new()
    {
        ["type"] = RecordType,
        ["model"] = Model,
        ["weights_sha256"] = WeightsSha256,
        ["engine"] = new JsonObject { ["version"] = EngineVersion, ["build"] = EngineBuild },
        ["settings"] = Settings.DeepClone(),
        ["tokens"] = new JsonArray(Tokens.Select(t => (JsonNode)t).ToArray()),
        ["next_step"] = NextStep,
        ["state_bytes"] = StateBytes.Length,
        ["state_sha256"] = StateSha256,
        ["next_logits_sha256"] = NextLogitsSha256,
    };

    /// <summary>The container, uncompressed.</summary>
    public byte[] ToContainer()
    {
        var header = CanonicalJson.Canonicalize(Header());
        var bytes = new byte[Magic.Length + 4 + header.Length + StateBytes.Length];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Magic.Length), (uint)header.Length);
        header.CopyTo(bytes, Magic.Length + 4);
        StateBytes.CopyTo(bytes, Magic.Length + 4 + header.Length);
        return bytes;
    }

    public byte[] ToBlob(int level = 9)
    {
        using var c = new Compressor(level);
        return c.Wrap(ToContainer()).ToArray();
    }

    public static FrozenState FromBlob(ReadOnlySpan<byte> blob, long maxBytes = 16L << 30)
    {
        byte[] bytes;
        try
        {
            using var d = new Decompressor();
            var size = Decompressor.GetDecompressedSize(blob);
            if (size == 0 || size > (ulong)Math.Min(maxBytes, Array.MaxLength))
            {
                throw new FormatException($"frozen state: the zstd frame declares {size} bytes.");
            }

            bytes = d.Unwrap(blob, (int)size).ToArray();
        }
        catch (ZstdException e)
        {
            throw new FormatException($"frozen state: not a zstd frame ({e.Message}).", e);
        }

        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new FormatException("frozen state: bad magic (not an amber.llama-state/v1 container).");
        }

        var headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (headerLength > bytes.Length - Magic.Length - 4)
        {
            throw new FormatException("frozen state: the header length runs past the end.");
        }

        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, Magic.Length + 4, headerLength)) as JsonObject
            ?? throw new FormatException("frozen state: the header is not a JSON object.");
        if ((string?)header["type"] != RecordType)
        {
            throw new FormatException($"frozen state: header type is not \"{RecordType}\".");
        }

        var state = bytes[(Magic.Length + 4 + headerLength)..];
        var engine = header["engine"] as JsonObject ?? throw new FormatException("frozen state: \"engine\" is missing.");
        var frozen = new FrozenState
        {
            Model = Str(header, "model"),
            WeightsSha256 = Str(header, "weights_sha256"),
            EngineVersion = Str(engine, "version"),
            EngineBuild = Str(engine, "build"),
            Settings = (header["settings"] as JsonObject ?? throw new FormatException("frozen state: \"settings\" is missing.")).DeepClone().AsObject(),
            Tokens = (header["tokens"] as JsonArray ?? throw new FormatException("frozen state: \"tokens\" is missing.")).Select(t => t!.GetValue<int>()).ToList(),
            NextStep = (header["next_step"] ?? throw new FormatException("frozen state: \"next_step\" is missing.")).GetValue<int>(),
            StateSha256 = Str(header, "state_sha256"),
            NextLogitsSha256 = Str(header, "next_logits_sha256"),
            StateBytes = state,
        };
        if (frozen.Tokens.Count == 0)
        {
            throw new FormatException("frozen state: \"tokens\" is empty.");
        }

        if (Amber.Core.Hashing.ContentId.Of(state) != frozen.StateSha256)
        {
            throw new StateLoadException("frozen state: the state bytes do not match their recorded SHA-256 (damaged blob).");
        }

        return frozen;
    }

    private static string Str(JsonObject o, string key) => (string?)o[key] ?? throw new FormatException($"frozen state: \"{key}\" is missing.");
}
