using System.Text;

namespace Amber.Testing;

/// <summary>
/// Writes a tiny llama-architecture GGUF v3 file with random (seeded) F32 weights and an SPM-style
/// vocabulary (unk, bos, eos, 256 byte tokens, a few dozen "▁" pieces), so the local-model tests run
/// without ../shared. The text it generates is gibberish; the determinism checks do not care.
/// </summary>
public static class TinyGguf
{
    private const int Alignment = 32;

    private static readonly string[] Words =
    [
        "▁", "▁a", "▁the", "▁and", "▁to", "▁of", "▁in", "▁is", "▁it", "▁you", "▁that", "▁he", "▁was", "▁for", "▁on",
        "▁are", "▁with", "▁as", "▁I", "▁his", "▁they", "▁be", "▁at", "▁one", "▁have", "▁this", "▁hello", "▁world",
        "▁once", "▁upon", "▁time", "▁there", "e", "t", "a", "o", "i", "n", "s", "h", "r", "d", "l", "u", ".", ",",
    ];

    public static int VocabularySize => 3 + 256 + Words.Length;

    /// <summary>Writes the model and returns its path.</summary>
    public static string Write(string path, int embedding = 64, int layers = 2, int heads = 4, int kvHeads = 2, int feedForward = 128, int context = 256, int seed = 1)
    {
        var rng = new Random(seed);
        var headDim = embedding / heads;
        var kv = headDim * kvHeads;
        var vocab = VocabularySize;
        var tensors = new List<(string Name, long[] Dims)>
        {
            ("token_embd.weight", [embedding, vocab]),
            ("output_norm.weight", [embedding]),
            ("output.weight", [embedding, vocab]),
        };
        for (var l = 0; l < layers; l++)
        {
            tensors.Add(($"blk.{l}.attn_norm.weight", [embedding]));
            tensors.Add(($"blk.{l}.attn_q.weight", [embedding, embedding]));
            tensors.Add(($"blk.{l}.attn_k.weight", [embedding, kv]));
            tensors.Add(($"blk.{l}.attn_v.weight", [embedding, kv]));
            tensors.Add(($"blk.{l}.attn_output.weight", [embedding, embedding]));
            tensors.Add(($"blk.{l}.ffn_norm.weight", [embedding]));
            tensors.Add(($"blk.{l}.ffn_gate.weight", [embedding, feedForward]));
            tensors.Add(($"blk.{l}.ffn_up.weight", [embedding, feedForward]));
            tensors.Add(($"blk.{l}.ffn_down.weight", [feedForward, embedding]));
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        w.Write(0x46554747u); // "GGUF"
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        var kvs = new List<Action>
        {
            () => Str(w, "general.architecture", "llama"),
            () => Str(w, "general.name", "amber-tiny-random"),
            () => U32(w, "llama.context_length", (uint)context),
            () => U32(w, "llama.embedding_length", (uint)embedding),
            () => U32(w, "llama.block_count", (uint)layers),
            () => U32(w, "llama.feed_forward_length", (uint)feedForward),
            () => U32(w, "llama.attention.head_count", (uint)heads),
            () => U32(w, "llama.attention.head_count_kv", (uint)kvHeads),
            () => U32(w, "llama.rope.dimension_count", (uint)headDim),
            () => F32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f),
            () => Str(w, "tokenizer.ggml.model", "llama"),
            () => TokenArrays(w),
            () => U32(w, "tokenizer.ggml.bos_token_id", 1),
            () => U32(w, "tokenizer.ggml.eos_token_id", 2),
            () => U32(w, "tokenizer.ggml.unknown_token_id", 0),
        };
        w.Write((ulong)(kvs.Count + 2)); // TokenArrays writes three keys
        foreach (var kv2 in kvs)
        {
            kv2();
        }

        ulong offset = 0;
        var sizes = new List<long>();
        foreach (var (name, dims) in tensors)
        {
            WriteString(w, name);
            w.Write((uint)dims.Length);
            foreach (var d in dims)
            {
                w.Write((ulong)d);
            }

            w.Write(0u); // F32
            w.Write(offset);
            var bytes = dims.Aggregate(1L, (a, b) => a * b) * 4;
            sizes.Add(bytes);
            offset += (ulong)Align(bytes);
        }

        Pad(w);
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, dims) = tensors[i];
            var count = dims.Aggregate(1L, (a, b) => a * b);
            var isNorm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            var scale = isNorm ? 0f : (float)(2.0 / Math.Sqrt(dims[0]));
            for (long k = 0; k < count; k++)
            {
                w.Write(isNorm ? 1f : (float)((rng.NextDouble() * 2) - 1) * scale);
            }

            Pad(w);
        }

        return path;
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var pos = w.BaseStream.Position;
        for (var p = pos; p < Align(pos); p++)
        {
            w.Write((byte)0);
        }
    }

    private static void TokenArrays(BinaryWriter w)
    {
        var tokens = new List<(string Text, float Score, int Type)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3) };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(($"<0x{b:X2}>", 0, 6));
        }

        tokens.AddRange(Words.Select((word, i) => (word, (float)(word.Length * 10) - (i * 0.01f), 1)));

        WriteString(w, "tokenizer.ggml.tokens");
        w.Write(9u);
        w.Write(8u);
        w.Write((ulong)tokens.Count);
        foreach (var t in tokens)
        {
            WriteString(w, t.Text);
        }

        WriteString(w, "tokenizer.ggml.scores");
        w.Write(9u);
        w.Write(6u);
        w.Write((ulong)tokens.Count);
        foreach (var t in tokens)
        {
            w.Write(t.Score);
        }

        WriteString(w, "tokenizer.ggml.token_type");
        w.Write(9u);
        w.Write(5u);
        w.Write((ulong)tokens.Count);
        foreach (var t in tokens)
        {
            w.Write(t.Type);
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    private static void Str(BinaryWriter w, string key, string value)
    {
        WriteString(w, key);
        w.Write(8u);
        WriteString(w, value);
    }

    private static void U32(BinaryWriter w, string key, uint value)
    {
        WriteString(w, key);
        w.Write(4u);
        w.Write(value);
    }

    private static void F32(BinaryWriter w, string key, float value)
    {
        WriteString(w, key);
        w.Write(6u);
        w.Write(value);
    }
}
