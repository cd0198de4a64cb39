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
}
