using Amber.Core.Hashing;
using Amber.Testing;

namespace Amber.Revive.LlamaSharp.Tests;

public sealed class LocalModelTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    public static TheoryData<float, long> Samplers => new() { { 0f, 0 }, { 0.9f, 42 }, { 1.3f, 7 } };

    [Fact]
    public void Reference_TinyModel_NamesWeightsTokenizerTemplateEngineAndSettings()
    {
        var r = tiny.Model.Reference;
        Assert.Equal(ContentId.Of(File.ReadAllBytes(tiny.ModelPath)), r.WeightsSha256);
        Assert.StartsWith("sha256:", r.TokenizerSha256, StringComparison.Ordinal);
        Assert.Equal(ChatTemplates.Sha256(ChatTemplates.DefaultTemplate), r.TemplateSha256);
        Assert.Contains("LLamaSharp 0.30.0", r.EngineVersion, StringComparison.Ordinal);
        Assert.Matches("cpu (none|avx|avx2|avx512)$", r.EngineBuild);
        foreach (var key in new[] { "n_batch", "n_ubatch", "flash_attention", "type_k", "type_v", "system_info" })
        {
            Assert.True(r.Settings!.ContainsKey(key), $"settings lack {key}");
        }
    }

    [Fact]
    public void Tokenize_TextWithAccentsAndNewlines_RoundTripsThroughByteFallback()
    {
        var tokens = tiny.Model.Tokenize("héllo wörld\n\tonce", addBos: false);
        Assert.Equal("héllo wörld\n\tonce", tiny.Model.Detokenize(tokens).TrimStart(' '));
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public async Task Replay_ThreeTurnsGeneratedLocally_EveryTurnIsExactOnAFreshlyLoadedModel(float temperature, long seed)
    {
        var ct = TestContext.Current.CancellationToken;
        var sampler = new SamplerSettings { Temperature = temperature, Seed = seed, MaxTokens = 24 };
        var messages = new List<(string Role, string Content)> { ("system", "You are a story teller."), ("user", "once upon a time") };
        var turns = new List<LocalGeneration>();
        for (var turn = 0; turn < 3; turn++)
        {
            var g = await tiny.Model.GenerateAsync(tiny.Model.PromptTokens(messages), sampler with { Seed = seed + turn }, ct: ct);
            Assert.NotEmpty(g.OutputTokens);
            turns.Add(g);
            messages.Add(("assistant", g.Text));
            messages.Add(("user", "and then the world " + turn));
        }

        using var again = LocalModel.Load(tiny.ModelPath, tiny.Model.Settings);
        foreach (var g in turns)
        {
            var replay = await again.ReplayAsync(g.PromptTokens, g.OutputTokens, g.Sampler, ct);
            Assert.True(replay.Exact, $"diverged at {replay.DivergedAt}: recorded {replay.RecordedToken}, replayed {replay.ReplayedToken}");
            Assert.Equal(g.OutputTokens.Count, replay.Tokens);
        }
    }

    [Fact]
    public async Task Replay_RecordedTokenChanged_ReportsDivergenceAtThatStepWithBothTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var sampler = new SamplerSettings { Temperature = 0.8f, Seed = 3, MaxTokens = 16 };
        var g = await tiny.Model.GenerateAsync(tiny.Model.Tokenize("the world was", true), sampler, ct: ct);
        Assert.True(g.OutputTokens.Count > 5, "the model stopped too early for this test");
        var tampered = g.OutputTokens.ToArray();
        tampered[5] = tampered[5] == 40 ? 41 : 40;
        var replay = await tiny.Model.ReplayAsync(g.PromptTokens, tampered, sampler, ct);
        Assert.False(replay.Exact);
        Assert.Equal(5, replay.DivergedAt);
        Assert.Equal(tampered[5], replay.RecordedToken);
        Assert.Equal(g.OutputTokens[5], replay.ReplayedToken);
    }

    [Fact]
    public async Task Replay_UnderADifferentMicroBatchSize_IsNotClaimedExactBySettingsCheck()
    {
        using var other = LocalModel.Load(tiny.ModelPath, tiny.Model.Settings with { UBatchSize = 7 });
        var differences = LocalModel.SettingDifferences(tiny.Model.Reference.Settings!, other.Reference.Settings!);
        Assert.Contains(differences, d => d.StartsWith("n_ubatch: recorded 64, here 7", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public async Task Thaw_SameProcess_ContinuesExactlyLikeUninterruptedGeneration(float temperature, long seed)
    {
        var ct = TestContext.Current.CancellationToken;
        var prompt = tiny.Model.Tokenize("hello world, once upon a time", true);
        var full = await tiny.Model.GenerateAsync(prompt, new SamplerSettings { Temperature = temperature, Seed = seed, MaxTokens = 30 }, ct: ct);
        var head = await tiny.Model.GenerateAsync(prompt, new SamplerSettings { Temperature = temperature, Seed = seed, MaxTokens = 12 }, freeze: true, ct: ct);
        Assert.NotNull(head.State);
        Assert.Equal(full.OutputTokens.Take(12), head.OutputTokens);
        var state = FrozenState.FromBlob(head.State);
        var tail = await tiny.Model.ThawAsync(state, [], new SamplerSettings { Temperature = temperature, Seed = seed, MaxTokens = 18 }, ct: ct);
        Assert.Equal(full.OutputTokens.Skip(12), tail.OutputTokens);
    }

    [Fact]
    public async Task Thaw_AnotherProcess_ContinuesExactlyLikeUninterruptedGeneration()
    {
        var ct = TestContext.Current.CancellationToken;
        var prompt = tiny.Model.Tokenize("the time was once upon", true);
        var sampler = new SamplerSettings { Temperature = 0.9f, Seed = 11, MaxTokens = 40 };
        var full = await tiny.Model.GenerateAsync(prompt, sampler, ct: ct);
        var head = await tiny.Model.GenerateAsync(prompt, sampler with { MaxTokens = 15 }, freeze: true, ct: ct);
        var blob = tiny.Combine("state.blob");
        await File.WriteAllBytesAsync(blob, head.State!, ct);

        var (exit, stdout, stderr) = await ThawWorker.RunAsync(tiny.ModelPath, blob, "0.9", "11", "25", ct);
        Assert.True(exit == 0, $"worker failed ({exit}): {stdout} {stderr}");
        var line = stdout.Split('\n').Single(l => l.StartsWith("TOKENS", StringComparison.Ordinal));
        var thawed = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).ToList();
        Assert.Equal(full.OutputTokens.Skip(15), thawed);
    }

    [Fact]
    public async Task Thaw_StateSavedWithFlashAttentionLoadedWithout_LoadFailureIsDetectedNotIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = await tiny.Model.GenerateAsync(tiny.Model.Tokenize("once upon a time", true), new SamplerSettings { MaxTokens = 8 }, freeze: true, ct: ct);
        var state = FrozenState.FromBlob(head.State);
        using var noFlash = LocalModel.Load(tiny.ModelPath, tiny.Model.Settings with { FlashAttention = false });

        Assert.Contains("flash_attention", noFlash.ThawProblem(state), StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<StateLoadException>(() => noFlash.ThawAsync(state, [], new SamplerSettings(), ct: ct));
        Assert.Contains("flash_attention", refused.Message, StringComparison.Ordinal);

        // Below the settings check: llama.cpp itself ignores the failure; the session must not.
        var forged = state with { Settings = noFlash.Settings.ToJson() };
        var failed = await Assert.ThrowsAsync<StateLoadException>(() => noFlash.ThawAsync(forged, [], new SamplerSettings(), ct: ct));
        Assert.Contains("state", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thaw_StateFromAnotherNativeBuild_IsRefusedWithTheReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = await tiny.Model.GenerateAsync(tiny.Model.Tokenize("once", true), new SamplerSettings { MaxTokens = 4 }, freeze: true, ct: ct);
        var state = FrozenState.FromBlob(head.State) with { EngineBuild = "linux-x64 cpu noavx-elsewhere" };
        var e = await Assert.ThrowsAsync<StateLoadException>(() => tiny.Model.ThawAsync(state, [], new SamplerSettings(), ct: ct));
        Assert.Contains("native build", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBlob_DamagedStateBytes_IsReportedAsDamaged()
    {
        var state = new FrozenState
        {
            Model = "sha256:00",
            WeightsSha256 = "sha256:00",
            EngineVersion = "v",
            EngineBuild = "b",
            Settings = [],
            Tokens = [1, 2],
            NextStep = 1,
            StateSha256 = ContentId.Of([1, 2, 3]),
            NextLogitsSha256 = "sha256:00",
            StateBytes = [1, 2, 4],
        };
        var e = Assert.Throws<StateLoadException>(() => FrozenState.FromBlob(state.ToBlob()));
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }
}
