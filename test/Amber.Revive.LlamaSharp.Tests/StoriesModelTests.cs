using Amber.Testing;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>The real tiny TinyStories model from ../shared/models (skipped when ../shared is absent).</summary>
public sealed class StoriesModelTests
{
    private static string RequireStories()
    {
        var path = SharedData.PathTo(Path.Combine("models", "stories260K.gguf"));
        if (path is null || !File.Exists(path))
        {
            Assert.Skip($"{SharedData.MissingMessage} (needed: shared/models/stories260K.gguf)");
        }

        return path!;
    }

    [Fact]
    public async Task Generate_Greedy_TellsTheKnownStoryAndReplaysExactly()
    {
        var ct = TestContext.Current.CancellationToken;
        using var model = LocalModel.Load(RequireStories(), new LocalEngineSettings { ContextSize = 512 });
        Assert.False(model.HasChatTemplate);
        var g = await model.GenerateAsync(model.Tokenize("Once upon a time", true), new SamplerSettings { MaxTokens = 40 }, ct: ct);
        Assert.StartsWith(", there was a little girl named Lily", g.Text, StringComparison.Ordinal);
        Assert.True((await model.ReplayAsync(g.PromptTokens, g.OutputTokens, g.Sampler, ct)).Exact);
    }

    [Fact]
    public async Task Replay_SeededChatTurns_AllExactAndThawMatchesUninterrupted()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = RequireStories();
        using var model = LocalModel.Load(path, new LocalEngineSettings { ContextSize = 512, BatchSize = 32, UBatchSize = 32 });
        var messages = new List<(string, string)> { ("user", "Tell me about Lily and the ball.") };
        var turns = new List<LocalGeneration>();
        for (var i = 0; i < 3; i++)
        {
            var g = await model.GenerateAsync(model.PromptTokens(messages), new SamplerSettings { Temperature = 0.8f, Seed = 100 + i, MaxTokens = 30 }, freeze: true, ct: ct);
            turns.Add(g);
            messages.Add(("assistant", g.Text));
            messages.Add(("user", "What happened next?"));
        }

        using var fresh = LocalModel.Load(path, model.Settings);
        foreach (var g in turns)
        {
            Assert.True((await fresh.ReplayAsync(g.PromptTokens, g.OutputTokens, g.Sampler, ct)).Exact);
        }

        var last = turns[^1];
        var full = await model.GenerateAsync(last.PromptTokens, last.Sampler with { MaxTokens = 50 }, ct: ct);
        var tail = await fresh.ThawAsync(FrozenState.FromBlob(last.State), [], last.Sampler with { MaxTokens = 20 }, ct: ct);
        Assert.Equal(full.OutputTokens.Skip(last.OutputTokens.Count).Take(tail.OutputTokens.Count), tail.OutputTokens);
    }

    [Theory]
    [InlineData(0f, 0)]
    [InlineData(0.8f, 21)]
    public async Task Thaw_AnotherProcess_ContinuesTheStoryExactlyLikeUninterruptedGeneration(float temperature, long seed)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = RequireStories();
        using var temp = new TempDirectory("amber-stories-thaw");
        using var model = LocalModel.Load(path, new LocalEngineSettings { ContextSize = 512 });
        var prompt = model.PromptTokens([("user", "Tell me a story about a dog.")]);
        var sampler = new SamplerSettings { Temperature = temperature, Seed = seed, MaxTokens = 60 };
        var full = await model.GenerateAsync(prompt, sampler, ct: ct);
        var head = await model.GenerateAsync(prompt, sampler with { MaxTokens = 25 }, freeze: true, ct: ct);
        Assert.Equal("length", head.FinishReason);
        var blob = temp.Combine("state.blob");
        await File.WriteAllBytesAsync(blob, head.State!, ct);

        var (exit, stdout, stderr) = await ThawWorker.RunAsync(path, blob, temperature.ToString(System.Globalization.CultureInfo.InvariantCulture), seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "35", ct);
        Assert.True(exit == 0, $"worker failed ({exit}): {stdout} {stderr}");
        var thawed = stdout.Split('\n').Single(l => l.StartsWith("TOKENS", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).ToList();
        Assert.Equal(full.OutputTokens.Skip(25), thawed);
    }
}
