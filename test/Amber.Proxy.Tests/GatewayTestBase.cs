using System.ClientModel;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Testing;
using Anthropic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>A fresh archive, a fake upstream and the gateway in front of it, all real, on loopback; the official SDKs point at the gateway.</summary>
public abstract class GatewayTestBase : IAsyncLifetime
{
    public const string OpenAiKey = "sk-test-OPENAI-SECRET-4f1d2c3b5a6e7d8c";
    public const string AnthropicKey = "sk-ant-test-ANTHROPIC-SECRET-9a8b7c6d5e4f";

    private int seed = 1;

    protected TestArchives Archives { get; private set; } = null!;

    /// <summary>The file system the archive runs on; tests of failures use the fault-injecting one.</summary>
    protected virtual FileSystemKind Kind => FileSystemKind.Local;

    protected Archive Archive { get; set; } = null!;

    protected FakeUpstream Upstream { get; private set; } = null!;

    protected WebApplication Host { get; set; } = null!;

    protected Uri GatewayUrl => new(Host.Urls.First());

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Archives = new TestArchives(Kind);
        // On disk, the index sits in the archive folder like in production, so the secrets scan covers it.
        Archive = Archives.Init(o => ConfigureArchive(Kind == FileSystemKind.Local ? o with { IndexPath = null } : o));
        Upstream = await FakeUpstream.StartAsync();
        await StartGatewayAsync();
    }

    /// <summary>Further archive options of a test class (a failed writer's retry interval, say).</summary>
    protected virtual ArchiveOptions ConfigureArchive(ArchiveOptions options) => options;

    protected virtual GatewayOptions Options() => new()
    {
        OpenAiUpstream = Upstream.Url,
        AnthropicUpstream = Upstream.Url,
        TimeProvider = TimeProvider.System,
        FileSystem = Archives.FileSystem,
        Random = b => { var r = new Random(Interlocked.Increment(ref seed)); r.NextBytes(b); },
    };

    protected async Task StartGatewayAsync(GatewayOptions? options = null)
    {
        Host = GatewayHost.Build(Archive, "127.0.0.1:0", options ?? Options(), logging: ConfigureLogging);
        await Host.StartAsync();
    }

    /// <summary>Adds log providers to the gateway's host (a test that reads the gateway's messages).</summary>
    protected virtual void ConfigureLogging(ILoggingBuilder logging)
    {
    }

    protected async Task StopGatewayAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
    }

    protected ChatClient Chat(string model = "gpt-4o-mini")
        => new(model, new ApiKeyCredential(OpenAiKey), new OpenAIClientOptions { Endpoint = new Uri(GatewayUrl, "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    protected OpenAIClient OpenAi()
        => new(new ApiKeyCredential(OpenAiKey), new OpenAIClientOptions { Endpoint = new Uri(GatewayUrl, "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    protected AnthropicClient Claude() => new() { ApiKey = AnthropicKey, BaseUrl = GatewayUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

    protected IReadOnlyList<ConversationSummary> Conversations() => Archive.ListConversations(1000);

    /// <summary>Waits (up to 10 s) until the archive holds <paramref name="count"/> conversations; used where the client cannot see the commit (disconnects, async ack).</summary>
    protected async Task<IReadOnlyList<ConversationSummary>> ConversationsEventually(int count)
    {
        for (var i = 0; i < 400; i++)
        {
            var list = Conversations();
            if (list.Count >= count)
            {
                return list;
            }

            await Task.Delay(25, Ct);
        }

        return Conversations();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await StopGatewayAsync();
        await Upstream.DisposeAsync();
        await Archive.DisposeAsync();
        Archives.Dispose();
        GC.SuppressFinalize(this);
    }
}
