using System.Runtime.InteropServices;
using System.Security.Cryptography;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// One context and its decode schedule: the prompt in chunks of the batch size (logits for the last
/// token only), then one token per decode call. Generation, replay and thaw all go through it, so they
/// follow the same schedule by construction (llamasharp.md: the schedule changes the logits).
/// </summary>
internal sealed class DecodeSession : IDisposable
{
    private readonly LLamaContext context;
    private readonly LLamaBatch batch = new();
    private readonly int chunk;
    private int logitsIndex = -1;

    public DecodeSession(LLamaWeights weights, ModelParams parameters)
    {
        context = weights.CreateContext(parameters);
        chunk = (int)Math.Min(parameters.BatchSize, context.ContextSize);
    }

    /// <summary>Tokens in the KV cache.</summary>
    public int Position { get; private set; }

    public int ContextSize => (int)context.ContextSize;

    public void Prefill(IReadOnlyList<int> tokens)
    {
        if (Position + tokens.Count > ContextSize)
        {
            throw new ArgumentException($"{Position + tokens.Count} tokens do not fit the context of {ContextSize}.");
        }

        for (var i = 0; i < tokens.Count; i += chunk)
        {
            var n = Math.Min(chunk, tokens.Count - i);
            batch.Clear();
            for (var j = 0; j < n; j++)
            {
                batch.Add(tokens[i + j], Position + j, LLamaSeqId.Zero, i + j == tokens.Count - 1);
            }

            Decode();
            Position += n;
            logitsIndex = n - 1;
        }
    }

    public void DecodeOne(int token)
    {
        if (Position + 1 > ContextSize)
        {
            throw new ArgumentException($"the context of {ContextSize} tokens is full.");
        }

        batch.Clear();
        batch.Add(token, Position, LLamaSeqId.Zero, true);
        Decode();
        Position++;
        logitsIndex = 0;
    }

    /// <summary>Samples the next token; a fresh sampler for each step, seeded per <see cref="SamplerSettings.SeedingScheme"/>.</summary>
    public int Sample(SamplerSettings sampler, int step)
    {
        if (logitsIndex < 0)
        {
            throw new InvalidOperationException("nothing has been decoded yet, so there are no logits to sample from.");
        }

        using BaseSamplingPipeline pipeline = sampler.IsGreedy
            ? new GreedySamplingPipeline()
            : new DefaultSamplingPipeline
            {
                Temperature = sampler.Temperature,
                TopK = sampler.TopK,
                TopP = sampler.TopP,
                MinP = sampler.MinP,
                RepeatPenalty = sampler.RepeatPenalty,
                Seed = sampler.StepSeed(step),
            };
        return (int)pipeline.Sample(context.NativeHandle, logitsIndex);
    }

    /// <summary>sha256 over the current logits (the distribution the next token is sampled from), bit for bit.</summary>
    public string LogitsSha256()
    {
        var logits = context.NativeHandle.GetLogitsIth(logitsIndex);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(logits)));
    }

    public unsafe byte[] SaveState()
    {
        var size = context.NativeHandle.GetStateSize();
        var buffer = new byte[checked((int)size)];
        nuint written;
        fixed (byte* p = buffer)
        {
            written = context.NativeHandle.GetState(p, size);
        }

        return written == size ? buffer : buffer[..checked((int)written)];
    }

    /// <summary>Restores a saved state; llama.cpp's own LoadState ignores failure, so the byte count is checked here.</summary>
    public unsafe void LoadState(byte[] state, int position)
    {
        nuint read;
        fixed (byte* p = state)
        {
            read = context.NativeHandle.SetState(p, (nuint)state.Length);
        }

        if (read == 0)
        {
            throw new StateLoadException("llama.cpp refused the saved state (it read 0 bytes): the KV layout differs (flash attention, KV types, model or build).");
        }

        if (read != (nuint)state.Length)
        {
            throw new StateLoadException($"llama.cpp read {read} of the saved state's {state.Length} bytes.");
        }

        Position = position;
        logitsIndex = -1;
    }

    public void Dispose()
    {
        context.Dispose();
    }

    private void Decode()
    {
        var result = context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp decode failed: {result}.");
        }
    }
}
