using Amber.Cli.Infrastructure;
using Amber.Cli.Infrastructure.Settings;
using Amber.Core.Hosting;
using Amber.Proxy;

namespace Amber.Cli.Commands.Proxy;

internal static class ProxyCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, CancellationToken ct)
    {
        var listen = env.Settings[SettingsCatalogue.ProxyListen].Value!;
        var hostNames = env.Settings[SettingsCatalogue.ProxyHostNames].Values;
        GatewayOptions options;
        TelemetrySettings telemetry;
        System.Net.IPEndPoint endpoint;
        HostPolicy hosts;
        try
        {
            endpoint = GatewayHost.ParseListen(listen);
            options = GatewayCliOptions.Read(env.Settings);
            telemetry = GatewayCliOptions.ReadTelemetry(env.Settings);
            hosts = new HostPolicy(endpoint, hostNames);
        }
        catch (FormatException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        var messages = new HostMessages(env, telemetry);
        if (!System.Net.IPAddress.IsLoopback(endpoint.Address))
        {
            messages.Warn($"listening on {endpoint.Address}, which is reachable from other machines; requests must name {hosts.Describe()} in Host (--host-name adds names).");
        }

        await using var archive = env.Open(createIfMissing: true, GatewayOptions.HotPathCompressionLevel, o => o with { WriterRetryInterval = GatewayOptions.WriterRetryInterval });
        if (archive.IsReadOnly)
        {
            env.Error.WriteLine("amber: another process holds the archive's writer lock; the gateway cannot preserve calls. Stop it, or run the gateway inside it (amber serve).");
            return ExitCodes.Failed;
        }

        await using var app = GatewayHost.Build(archive, listen, options, hostNames: hostNames, telemetry: telemetry);
        if (!await Listening.TryStartAsync(app, listen, env.Error, ct).ConfigureAwait(false))
        {
            return ExitCodes.Failed;
        }

        messages.Attach(app);
        messages.Info($"gateway for {archive.Directory} at {string.Join(", ", app.Urls)} ({Describe(options)}); Ctrl+C stops.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>One line on what the gateway does: upstreams, acknowledgement, notice.</summary>
    public static string Describe(GatewayOptions o)
        => $"OpenAI → {UrlDisplay.Mask(o.OpenAiUpstream)}, Anthropic → {UrlDisplay.Mask(o.AnthropicUpstream)}, ack {o.Ack.ToString().ToLowerInvariant()}{(o.Notice is null ? "" : ", notice on")}";
}
