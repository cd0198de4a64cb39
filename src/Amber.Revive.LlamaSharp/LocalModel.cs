using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Revive.LlamaSharp.Gguf;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// A local GGUF model loaded through LLamaSharp, with everything needed for T1/T2: its model reference
/// (weights, tokenizer and template digests, engine version and native build, settings), deterministic
/// generation that records prompt and output token ids and the schedule, exact token-by-token replay,
/// and freeze/thaw of the inference state. Calls are serialized per model.
/// </summary>
public sealed class LocalModel : IDisposable
{
    public const string Provider = "local";
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), string> Digests = new();

    private readonly LLamaWeights weights;
    private readonly ModelParams parameters;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly string? chatTemplate;

    private LocalModel(string path, string name, LocalEngineSettings settings, LLamaWeights weights, ModelParams parameters, GgufMetadata metadata, string weightsSha256, TimeProvider time)
    {
        Path = path;
        Name = name;
        Settings = settings;
        this.weights = weights;
        this.parameters = parameters;
        this.time = time;
        chatTemplate = metadata[ChatTemplates.MetadataKey]?.AsString();
        var engineSettings = settings.ToJson();
        engineSettings["system_info"] = LlamaRuntime.SystemInfo;
        Reference = new ModelReference
        {
            Provider = Provider,
            Requested = name,
            Resolved = System.IO.Path.GetFileName(path),
            WeightsSha256 = weightsSha256,
            TokenizerSha256 = metadata.TokenizerSha256(),
            TemplateSha256 = ChatTemplates.Sha256(chatTemplate ?? ChatTemplates.DefaultTemplate),
            EngineName = LlamaRuntime.EngineName,
            EngineVersion = LlamaRuntime.EngineVersion,
            EngineBuild = LlamaRuntime.Build,
            Settings = engineSettings,
        };
    }

    public string Path { get; }

    /// <summary>The name clients ask for (the <c>model</c> of a request).</summary>
    public string Name { get; }

    public LocalEngineSettings Settings { get; }

    /// <summary>The T2 model reference of this model under these settings on this native build.</summary>
    public ModelReference Reference { get; }

    public bool HasChatTemplate => chatTemplate is not null;

    public int EndOfSequence => (int?)weights.Vocab.EOS ?? -1;

    public static LocalModel Load(string path, LocalEngineSettings? settings = null, string? name = null, TimeProvider? time = null)
    {
        settings ??= new LocalEngineSettings();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file {path} does not exist.", path);
        }

        var metadata = GgufMetadata.Read(path);
        var digest = WeightsSha256(path);
        LlamaRuntime.EnsureLoaded();
        var trained = (uint?)TryUInt(metadata, (metadata["general.architecture"]?.AsString() ?? "llama") + ".context_length");
        var mp = new ModelParams(path)
        {
            ContextSize = trained is { } t ? Math.Min(settings.ContextSize, t) : settings.ContextSize,
            BatchSize = settings.BatchSize,
            UBatchSize = settings.UBatchSize,
            Threads = settings.Threads,
            BatchThreads = settings.Threads,
            GpuLayerCount = 0,
            FlashAttention = settings.FlashAttention,
            TypeK = LocalEngineSettings.ParseType(settings.TypeK),
            TypeV = LocalEngineSettings.ParseType(settings.TypeV),
        };
        var effective = settings with { ContextSize = mp.ContextSize ?? settings.ContextSize };
        var w = LLamaWeights.LoadFromFile(mp);
        return new LocalModel(System.IO.Path.GetFullPath(path), name ?? System.IO.Path.GetFileNameWithoutExtension(path), effective, w, mp, metadata, digest, time ?? TimeProvider.System);
    }

    /// <summary>sha256 of the whole GGUF file (cached per path, size and modification time).</summary>
    public static string WeightsSha256(string path)
    {
        var info = new FileInfo(path);
        return Digests.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), static key =>
        {
            using var s = new FileStream(key.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return ContentId.Format(SHA256.HashData(s));
        });
    }

    public IReadOnlyList<int> Tokenize(string text, bool addBos)
        => weights.Tokenize(text, addBos, special: true, Encoding.UTF8).Select(t => (int)t).ToList();

    public string Detokenize(IEnumerable<int> tokens)
    {
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        foreach (var t in tokens)
        {
            if (!IsEnd(t))
            {
                decoder.Add(t);
            }
        }

        return decoder.Read();
    }

    /// <summary>Applies the model's chat template, or Amber's default one when the model has none.</summary>
    public string FormatPrompt(IEnumerable<(string Role, string Content)> messages)
    {
        if (chatTemplate is null)
        {
            return ChatTemplates.ApplyDefault(messages);
        }

        var template = new LLamaTemplate(weights, strict: false) { AddAssistant = true };
        foreach (var (role, content) in messages)
        {
            template.Add(role, content);
        }

        return Encoding.UTF8.GetString(template.Apply());
    }

    /// <summary>The prompt token ids for chat messages (template applied, BOS added as the vocabulary asks).</summary>
    public IReadOnlyList<int> PromptTokens(IEnumerable<(string Role, string Content)> messages)
        => Tokenize(FormatPrompt(messages), weights.Vocab.ShouldAddBOS);

    /// <summary>
    /// The tokens that follow a frozen answer when the user says <paramref name="userText"/> next, under the
    /// default template ("\n\nUser: …\n\nAssistant:"). Models with their own chat template are refused: their
    /// turn separators cannot be appended to a frozen state without re-rendering the whole conversation.
    /// </summary>
    public IReadOnlyList<int> ContinuationTokens(string userText)
    {
        if (chatTemplate is not null)
        {
            throw new ArgumentException($"model {Name} has its own chat template; a new message cannot be appended to its frozen state. Thaw without --message, or revive the instance instead.");
        }

        return Tokenize("\n\n" + ChatTemplates.ApplyDefault([("user", userText)]), addBos: false);
    }

    /// <summary>
    /// Generates from <paramref name="prompt"/> on a fresh context. With <paramref name="freeze"/>, the state at
    /// the end is saved (pending-token pattern) and returned as a compressed blob.
    /// </summary>
    public async Task<LocalGeneration> GenerateAsync(IReadOnlyList<int> prompt, SamplerSettings sampler, bool freeze = false, Action<int>? onToken = null, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var session = new DecodeSession(weights, parameters);
            return Run(session, prompt, [], sampler, 0, freeze, onToken, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Re-derives a recorded turn: the same schedule on a fresh context, each step's sampled token compared
    /// with the recorded one (the recorded token is then decoded, so the first divergence is the one reported).
    /// </summary>
    public async Task<TokenReplay> ReplayAsync(IReadOnlyList<int> prompt, IReadOnlyList<int> recorded, SamplerSettings sampler, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var session = new DecodeSession(weights, parameters);
            session.Prefill(prompt);
            return CompareSteps(session, recorded, sampler, 0, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Re-derives a turn that continued a frozen state: restores the state (checked as in <see cref="ThawAsync"/>),
    /// prefills <paramref name="append"/>, then compares each step with the recorded tokens, from the state's next step.
    /// </summary>
    public async Task<TokenReplay> ReplayThawedAsync(FrozenState state, IReadOnlyList<int> append, IReadOnlyList<int> recorded, SamplerSettings sampler, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(append);
        ArgumentNullException.ThrowIfNull(recorded);
        if (ThawProblem(state) is { } problem)
        {
            throw new StateLoadException(problem + ".");
        }

        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var session = Restore(state);

            if (append.Count > 0)
            {
                session.Prefill(append);
            }

            return CompareSteps(session, recorded, sampler, state.NextStep, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A fresh session with the frozen state loaded and its pending token decoded, once the logits are proved equal
    /// to the ones recorded at freeze time; otherwise <see cref="StateLoadException"/>. Call it holding the gate.
    /// </summary>
    private DecodeSession Restore(FrozenState state)
    {
        var session = new DecodeSession(weights, parameters);
        try
        {
            session.LoadState(state.StateBytes, state.CachedTokens);
            session.DecodeOne(state.PendingToken);
            var logits = session.LogitsSha256();
            if (logits != state.NextLogitsSha256)
            {
                throw new StateLoadException($"the restored state does not reproduce the recorded logits ({logits} ≠ {state.NextLogitsSha256}): the state did not load exactly.");
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Samples step by step from a prefilled session and compares each token with the recorded one.</summary>
    private static TokenReplay CompareSteps(DecodeSession session, IReadOnlyList<int> recorded, SamplerSettings sampler, int firstStep, CancellationToken ct)
    {
        for (var step = 0; step < recorded.Count; step++)
        {
            ct.ThrowIfCancellationRequested();
            var token = session.Sample(sampler, firstStep + step);
            if (token != recorded[step])
            {
                return new TokenReplay(false, recorded.Count, step, recorded[step], token);
            }

            if (step < recorded.Count - 1)
            {
                session.DecodeOne(token);
            }
        }

        return new TokenReplay(true, recorded.Count, null, null, null);
    }

    /// <summary>Why a frozen state cannot be restored exactly here, or null when it can.</summary>
    public string? ThawProblem(FrozenState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.WeightsSha256 != Reference.WeightsSha256)
        {
            return $"the state was saved with weights {state.WeightsSha256}, this model is {Reference.WeightsSha256}";
        }

        if (state.EngineBuild != Reference.EngineBuild)
        {
            return $"the state was saved under native build \"{state.EngineBuild}\", this process runs \"{Reference.EngineBuild}\" (set AMBER_LLAMA_AVX to match)";
        }

        if (state.EngineVersion != Reference.EngineVersion)
        {
            return $"the state was saved by {state.EngineVersion}, this is {Reference.EngineVersion}";
        }

        var differences = SettingDifferences(state.Settings, Settings.ToJson());
        return differences.Count == 0 ? null : "the engine settings differ: " + string.Join("; ", differences);
    }

    /// <summary>
    /// Restores a frozen state on a fresh context, decodes its pending token, proves the logits equal the
    /// ones recorded at freeze time, then appends <paramref name="append"/> (if any) and generates.
    /// Throws <see cref="StateLoadException"/> when the state cannot be restored exactly.
    /// </summary>
    public async Task<LocalGeneration> ThawAsync(FrozenState state, IReadOnlyList<int> append, SamplerSettings sampler, bool freeze = false, Action<int>? onToken = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(append);
        if (ThawProblem(state) is { } problem)
        {
            throw new StateLoadException(problem + ".");
        }

        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var session = Restore(state);

            return Run(session, state.Tokens, append, sampler, state.NextStep, freeze, onToken, ct, resumed: true);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The generation a stream delivered before it was cut off (the client went away): the tokens sampled so far,
    /// finish reason "interrupted". Its tokens are still a prefix that replay re-derives exactly.
    /// </summary>
    public LocalGeneration Interrupted(IReadOnlyList<int> prompt, IReadOnlyList<int> output, SamplerSettings sampler) => new()
    {
        PromptTokens = prompt,
        OutputTokens = output,
        Text = Detokenize(output),
        FinishReason = "interrupted",
        Schedule = Schedule(sampler, 0),
        Sampler = sampler,
    };

    public void Dispose()
    {
        weights.Dispose();
        gate.Dispose();
    }

    internal static List<string> SettingDifferences(JsonObject recorded, JsonObject current)
    {
        var list = new List<string>();
        foreach (var key in recorded.Select(p => p.Key).Union(current.Select(p => p.Key)).Where(k => k is not "n_ctx" and not "system_info").Order(StringComparer.Ordinal))
        {
            var a = recorded[key]?.ToJsonString() ?? "(absent)";
            var b = current[key]?.ToJsonString() ?? "(absent)";
            if (a != b)
            {
                list.Add($"{key}: recorded {a}, here {b}");
            }
        }

        return list;
    }

    private static ulong? TryUInt(GgufMetadata metadata, string key)
        => metadata[key] is { Type: GgufValueType.UInt32 or GgufValueType.Int32 } e ? BitConverter.ToUInt32(e.RawValue) : metadata[key] is { Type: GgufValueType.UInt64 } e64 ? BitConverter.ToUInt64(e64.RawValue) : null;

    private bool IsEnd(int token) => token == (int?)weights.Vocab.EOS || token == (int?)weights.Vocab.EOT;

    /// <summary>
    /// The shared loop. For a fresh run <paramref name="tokens"/> is the prompt and is prefilled; for a resumed one it
    /// is the restored tokens (already in the KV cache with the pending token decoded) and <paramref name="append"/> is prefilled.
    /// </summary>
    private LocalGeneration Run(DecodeSession session, IReadOnlyList<int> tokens, IReadOnlyList<int> append, SamplerSettings sampler, int firstStep, bool freeze, Action<int>? onToken, CancellationToken ct, bool resumed = false)
    {
        var started = time.GetTimestamp();
        long? firstToken = null;
        var prompt = resumed ? tokens.Concat(append).ToList() : tokens.ToList();
        if (resumed)
        {
            if (append.Count > 0)
            {
                session.Prefill(append);
            }
        }
        else
        {
            session.Prefill(tokens);
        }

        var output = new List<int>();
        var finish = "length";
        byte[]? state = null;
        for (var i = 0; i < sampler.MaxTokens; i++)
        {
            ct.ThrowIfCancellationRequested();
            var token = session.Sample(sampler, firstStep + i);
            firstToken ??= (long)time.GetElapsedTime(started).TotalMilliseconds;
            output.Add(token);
            onToken?.Invoke(token);
            var last = IsEnd(token) || i == sampler.MaxTokens - 1 || session.Position + 1 >= session.ContextSize;
            if (IsEnd(token))
            {
                finish = "stop";
            }

            if (last)
            {
                if (freeze)
                {
                    state = Freeze(session, prompt, output, firstStep);
                }

                break;
            }

            session.DecodeOne(token);
        }

        return new LocalGeneration
        {
            PromptTokens = prompt,
            OutputTokens = output,
            Text = Detokenize(output),
            FinishReason = finish,
            Schedule = Schedule(sampler, firstStep),
            Sampler = sampler,
            TimeToFirstTokenMs = firstToken ?? 0,
            TotalMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            State = state,
        };
    }

    private JsonObject Schedule(SamplerSettings sampler, int firstStep) => new()
    {
        ["type"] = "amber.llama-schedule/v1",
        ["prefill_chunk"] = Math.Min(Settings.BatchSize, Settings.ContextSize),
        ["decode"] = "one token per decode call after the prompt",
        ["sampler"] = sampler.ToJson(),
        ["first_step"] = firstStep,
    };

    private byte[] Freeze(DecodeSession session, IReadOnlyList<int> prompt, IReadOnlyList<int> output, int firstStep)
    {
        var bytes = session.SaveState();
        var cached = prompt.Concat(output).ToList();
        var position = session.Position;
        session.DecodeOne(output[^1]);
        var frozen = new FrozenState
        {
            Model = Reference.Id,
            WeightsSha256 = Reference.WeightsSha256!,
            EngineVersion = Reference.EngineVersion!,
            EngineBuild = Reference.EngineBuild!,
            Settings = Settings.ToJson(),
            Tokens = cached,
            NextStep = firstStep + output.Count,
            StateSha256 = ContentId.Of(bytes),
            NextLogitsSha256 = session.LogitsSha256(),
            StateBytes = bytes,
        };
        if (frozen.CachedTokens != position)
        {
            throw new InvalidOperationException($"freeze: the KV cache holds {position} tokens, the record says {frozen.CachedTokens}.");
        }

        return frozen.ToBlob();
    }
}
