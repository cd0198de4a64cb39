using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class TierGraderTests
{
    private const string State = "sha256:5555555555555555555555555555555555555555555555555555555555555555";

    private static ModelReference Hosted() => new() { Provider = "openai", Requested = "gpt-4o", Resolved = "gpt-4o-2024-05-13", Fingerprint = "fp_1" };

    private static ModelReference Local() => new()
    {
        Provider = "local",
        WeightsSha256 = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        TokenizerSha256 = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        TemplateSha256 = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
        EngineName = "llama.cpp",
        EngineVersion = "b4000",
        EngineBuild = "avx2",
    };

    private static GenerationRecord Exact(ModelReference model, string? state = null) => new()
    {
        Model = model.Id,
        Parameters = new JsonObject { ["temperature"] = 0.8 },
        Seed = 42,
        PromptTokenIds = [1, 2, 3],
        OutputTokenIds = [4, 5],
        State = state,
    };

    private static Node Turn(GenerationRecord? generation, string role = "assistant") => new() { Role = role, Content = [new TextBlock("x")], Generation = generation };

    [Fact]
    public void Grade_NoGeneration_IsT4()
    {
        Assert.Equal(Tier.T4, TierGrader.Grade(Turn(null, "user"), Local()));
    }

    [Fact]
    public void Grade_UnknownModel_IsT4()
    {
        Assert.Equal(Tier.T4, TierGrader.Grade(Turn(Exact(Local(), State)), null));
    }

    [Fact]
    public void Grade_LocalWithEverythingAndState_IsT1()
    {
        Assert.Equal(Tier.T1, TierGrader.Grade(Turn(Exact(Local(), State)), Local()));
    }

    [Fact]
    public void Grade_LocalWithEverythingButState_IsT2()
    {
        Assert.Equal(Tier.T2, TierGrader.Grade(Turn(Exact(Local())), Local()));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Grade_LocalWithTokenizerOrTemplateDigest_IsT2(bool tokenizer, bool template)
    {
        var model = Local() with
        {
            TokenizerSha256 = tokenizer ? Local().TokenizerSha256 : null,
            TemplateSha256 = template ? Local().TemplateSha256 : null,
        };

        Assert.Equal(Tier.T2, TierGrader.Grade(Turn(Exact(model)), model));
    }

    [Theory]
    [InlineData("weights")]
    [InlineData("engine_name")]
    [InlineData("engine_version")]
    [InlineData("engine_build")]
    [InlineData("tokenizer_and_template")]
    [InlineData("parameters")]
    [InlineData("seed")]
    [InlineData("prompt_token_ids")]
    [InlineData("output_token_ids")]
    public void Grade_LocalMissingOneExactnessField_FallsToT4WithoutResolvedId(string missing)
    {
        var model = Local();
        var generation = Exact(model, State);
        switch (missing)
        {
            case "weights": model = model with { WeightsSha256 = null }; break;
            case "engine_name": model = model with { EngineName = null }; break;
            case "engine_version": model = model with { EngineVersion = null }; break;
            case "engine_build": model = model with { EngineBuild = null }; break;
            case "tokenizer_and_template": model = model with { TokenizerSha256 = null, TemplateSha256 = null }; break;
            case "parameters": generation = generation with { Parameters = null }; break;
            case "seed": generation = generation with { Seed = null }; break;
            case "prompt_token_ids": generation = generation with { PromptTokenIds = null }; break;
            case "output_token_ids": generation = generation with { OutputTokenIds = null }; break;
            default: throw new ArgumentOutOfRangeException(nameof(missing));
        }

        Assert.Equal(Tier.T4, TierGrader.Grade(Turn(generation), model));
    }

    [Fact]
    public void Grade_LocalMissingSeedButResolved_IsT3()
    {
        var model = Local() with { Resolved = "llama-3.1-8b-instruct@rev1" };
        var generation = Exact(model) with { Seed = null };

        Assert.Equal(Tier.T3, TierGrader.Grade(Turn(generation), model));
    }

    [Fact]
    public void Grade_HostedResolvedWithParameters_IsT3()
    {
        var model = Hosted();

        Assert.Equal(Tier.T3, TierGrader.Grade(Turn(new GenerationRecord { Model = model.Id, Parameters = new JsonObject { ["model"] = "gpt-4o" } }), model));
    }

    [Fact]
    public void Grade_HostedWithoutResolvedId_IsT4()
    {
        var model = Hosted() with { Resolved = null };

        Assert.Equal(Tier.T4, TierGrader.Grade(Turn(new GenerationRecord { Model = model.Id, Parameters = [] }), model));
    }

    [Fact]
    public void Grade_HostedWithoutParameters_IsT4()
    {
        var model = Hosted();

        Assert.Equal(Tier.T4, TierGrader.Grade(Turn(new GenerationRecord { Model = model.Id }), model));
    }

    [Fact]
    public void GradePath_NoGeneratedTurn_IsT4()
    {
        Assert.Equal(Tier.T4, TierGrader.GradePath([Turn(null, "system"), Turn(null, "user")], _ => Local()));
    }

    [Fact]
    public void GradePath_StateAtLastTurn_IsT1()
    {
        var local = Local();
        var path = new[] { Turn(null, "user"), Turn(Exact(local)), Turn(null, "user"), Turn(Exact(local, State)) };

        Assert.Equal(Tier.T1, TierGrader.GradePath(path, _ => local));
    }

    [Fact]
    public void GradePath_StateOnlyMidPath_IsT2()
    {
        var local = Local();
        var path = new[] { Turn(null, "user"), Turn(Exact(local, State)), Turn(null, "user"), Turn(Exact(local)) };

        Assert.Equal(Tier.T2, TierGrader.GradePath(path, _ => local));
    }

    [Fact]
    public void GradePath_LeafAfterStatefulTurnIsUser_IsT2()
    {
        var local = Local();
        var path = new[] { Turn(null, "user"), Turn(Exact(local, State)), Turn(null, "user") };

        Assert.Equal(Tier.T2, TierGrader.GradePath(path, _ => local));
    }

    [Fact]
    public void GradePath_MixedTurns_IsTheWorstTurn()
    {
        var local = Local();
        var hosted = Hosted();
        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal) { [local.Id] = local, [hosted.Id] = hosted };
        var path = new[] { Turn(Exact(local)), Turn(new GenerationRecord { Model = hosted.Id, Parameters = [] }), Turn(Exact(local, State)) };

        Assert.Equal(Tier.T3, TierGrader.GradePath(path, id => models.GetValueOrDefault(id)));
    }

    [Fact]
    public void GradePath_ModelNotFound_IsT4()
    {
        var local = Local();
        var path = new[] { Turn(Exact(local, State)) };

        Assert.Equal(Tier.T4, TierGrader.GradePath(path, _ => null));
    }
}
