using Amber.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>Exact replay holds for every locally generated turn, whatever the sampler, seed, prompt and batch split.</summary>
public sealed class ReplayProperties
{
    private static readonly Lazy<(TempDirectory Temp, string Path)> Model = new(() =>
    {
        var temp = new TempDirectory("amber-replay-prop");
        return (temp, TinyGguf.Write(temp.Combine("prop.gguf"), context: 1024, seed: 9));
    });

    [Property(MaxTest = 12)]
    public Property Replay_AnyGeneratedTurn_IsExactOnAFreshContextWithTheSameSettings()
    {
        var temperature = Gen.Elements(0f, 0.5f, 0.9f, 1.5f);
        var seed = Gen.Choose(0, int.MaxValue).Select(s => (long)s);
        var prompt = Gen.Elements("once upon a time", "hello world", "the", "é ü 中文", "and then he was at the river").ListOf().Where(l => l.Count is > 0 and < 6);
        var batch = Gen.Elements(1u, 7u, 64u, 512u);
        var cases = Gen.Zip(Gen.Zip(temperature, seed), Gen.Zip(prompt, batch)).ToArbitrary();
        return Prop.ForAll(cases, c =>
        {
            var ((t, s), (words, n)) = c;
            var settings = new LocalEngineSettings { ContextSize = 1024, BatchSize = n, UBatchSize = n };
            using var model = LocalModel.Load(Model.Value.Path, settings);
            var sampler = new SamplerSettings { Temperature = t, Seed = s, MaxTokens = 12 };
            var g = model.GenerateAsync(model.Tokenize(string.Join(' ', words), true), sampler).GetAwaiter().GetResult();
            using var again = LocalModel.Load(Model.Value.Path, settings);
            var replay = again.ReplayAsync(g.PromptTokens, g.OutputTokens, g.Sampler).GetAwaiter().GetResult();
            return replay.Exact && replay.Tokens == g.OutputTokens.Count;
        });
    }
}
