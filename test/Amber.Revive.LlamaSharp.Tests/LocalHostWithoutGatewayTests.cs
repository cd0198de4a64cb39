using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amber.Revive.LlamaSharp.Hosting;
using Amber.Testing;
using Amber.Viewer;

namespace Amber.Revive.LlamaSharp.Tests;

public sealed class LocalHostWithoutGatewayTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public async Task ChatCompletions_UnknownModelWithNoGateway_Is404NamingTheLocalModels()
    {
        var ct = TestContext.Current.CancellationToken;
        using var archives = new TestArchives(FileSystemKind.Local);
        await using var archive = archives.Init();
        using var registry = new LocalModelRegistry();
        registry.Add(LocalModel.Load(tiny.ModelPath, tiny.Model.Settings, name: "tiny-local"));
        var options = new AmberServerOptions { Listen = "127.0.0.1:0" };
        options.Services.Add(s => s.AddLocalModels(registry));
        options.Endpoints.Add(e => e.UseLocalModels());
        await using var app = AmberServer.Build(archive, options);
        await app.StartAsync(ct);
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(app.Urls.First() + "/v1/chat/completions", new JsonObject { ["model"] = "gpt-4o", ["messages"] = new JsonArray() }, ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.Contains("is not served here", text, StringComparison.Ordinal);
        Assert.Contains("gpt-4o", text, StringComparison.Ordinal);
        Assert.Contains("tiny-local", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSpec_MissingNameOrPath_ErrorShowsTheExpectedForm()
    {
        Assert.Equal(("a", "/m/x.gguf"), LocalModelRegistry.ParseSpec("a=/m/x.gguf"));
        Assert.Contains("NAME=PATH.gguf", Assert.Throws<ArgumentException>(() => LocalModelRegistry.ParseSpec("x.gguf")).Message, StringComparison.Ordinal);
        Assert.Contains("NAME=PATH.gguf", Assert.Throws<ArgumentException>(() => LocalModelRegistry.ParseSpec("a=")).Message, StringComparison.Ordinal);
    }
}
