using System.Net;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>
/// /readyz turns 503 once the archive's writer has failed (a full disk: every later commit is refused until the
/// archive is reopened), so a supervisor restarts the process instead of sending it calls it cannot capture. Issue 18's
/// full-disk campaign found /readyz still answering "ready" then.
/// </summary>
public sealed class ReadinessWriterFailureTests : GatewayTestBase
{
    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    [Fact]
    public async Task Readyz_AfterAFailedWrite_Is503AndSaysToRestart_WhileHealthzStaysOk()
    {
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        Assert.Equal("ready", await http.GetStringAsync("/readyz", Ct));
        Assert.Null(Archive.WriterFailure);

        Archives.Faults!.FailWriteAfter(0);
        var batch = new CommitBatch("test");
        batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = "disk-full" })
            .AddNode(new Node { Role = "user", Content = [new TextBlock("this commit meets a full disk")] });
        await Assert.ThrowsAnyAsync<IOException>(() => Archive.CommitAsync(batch, Ct));

        Assert.NotNull(Archive.WriterFailure);
        using var response = await http.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("not ready: the archive writer failed (", body, StringComparison.Ordinal);
        Assert.EndsWith("restart the process to recover", body, StringComparison.Ordinal);
        Assert.Equal("ok", await http.GetStringAsync("/healthz", Ct));
    }
}
