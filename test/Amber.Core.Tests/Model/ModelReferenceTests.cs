using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class ModelReferenceTests
{
    private static ModelReference Local() => new()
    {
        Provider = "local",
        Requested = "llama-3.1-8b-instruct-q4_k_m",
        WeightsSha256 = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        TokenizerSha256 = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        TemplateSha256 = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
        EngineName = "llama.cpp",
        EngineVersion = "b4000",
        EngineBuild = "avx2",
        Settings = new JsonObject { ["n_ctx"] = 8192, ["n_batch"] = 512, ["type_k"] = "f16", ["flash_attn"] = true },
    };

    [Fact]
    public void Id_AnyReference_IsSha256OfWholeCanonicalRecord()
    {
        var model = Local();

        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Canonicalize(model.ToJson())));

        Assert.Equal(expected, model.Id);
    }

    [Theory]
    [InlineData("resolved")]
    [InlineData("fingerprint")]
    [InlineData("api_version")]
    [InlineData("engine_build")]
    [InlineData("settings")]
    public void Id_AnyFieldChange_ChangesId(string field)
    {
        var a = Local();
        var b = field switch
        {
            "resolved" => a with { Resolved = "snapshot-2" },
            "fingerprint" => a with { Fingerprint = "fp_1" },
            "api_version" => a with { ApiVersion = "2023-06-01" },
            "engine_build" => a with { EngineBuild = "avx512" },
            "settings" => a with { Settings = new JsonObject { ["n_ctx"] = 4096 } },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void ToJson_LocalModel_WritesDocumentedShape()
    {
        Assert.Equal(
            """{"engine":{"build":"avx2","name":"llama.cpp","version":"b4000"},"provider":"local","requested":"llama-3.1-8b-instruct-q4_k_m","settings":{"flash_attn":true,"n_batch":512,"n_ctx":8192,"type_k":"f16"},"template_sha256":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","tokenizer_sha256":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","type":"amber.model/v1","weights_sha256":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""",
            Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Local().ToJson())));
    }

    [Fact]
    public void ToJson_ProviderOnly_OmitsEveryAbsentField()
    {
        Assert.Equal("""{"provider":"chatgpt","type":"amber.model/v1"}""", Encoding.UTF8.GetString(CanonicalJson.Canonicalize(new ModelReference { Provider = "chatgpt" }.ToJson())));
    }

    [Fact]
    public void ToJson_PartialEngine_WritesOnlyGivenEngineFields()
    {
        var json = new ModelReference { Provider = "local", EngineName = "llama.cpp" }.ToJson();

        Assert.Equal("""{"name":"llama.cpp"}""", json["engine"]!.ToJsonString());
    }

    [Fact]
    public void FromJson_LocalModel_KeepsId()
    {
        var model = Local();

        var back = ModelReference.FromJson(CanonicalJson.Parse(CanonicalJson.Canonicalize(model.ToJson()))!.AsObject());

        Assert.Equal(model.Id, back.Id);
        Assert.Equal(model.EngineBuild, back.EngineBuild);
    }

    [Fact]
    public void FromJson_WrongType_ThrowsFormatException()
    {
        var o = Local().ToJson();
        o["type"] = "amber.node/v1";

        Assert.Throws<FormatException>(() => ModelReference.FromJson(o));
    }

    [Theory]
    [InlineData("gpt-4o-2024-05-13", "gpt-4o", "gpt-4o-2024-05-13")]
    [InlineData(null, "gpt-4o", "gpt-4o")]
    [InlineData(null, null, "openai")]
    public void DisplayName_AvailableNames_PrefersResolvedThenRequestedThenProvider(string? resolved, string? requested, string expected)
    {
        Assert.Equal(expected, new ModelReference { Provider = "openai", Requested = requested, Resolved = resolved }.DisplayName);
    }
}
