using Amber.Cli.Infrastructure;
using Amber.Viewer;
using Microsoft.AspNetCore.Builder;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, string listen, CancellationToken ct, IReadOnlyList<string>? localModels = null, bool freeze = false)
    {
        System.Net.IPEndPoint endpoint;
        try
        {
            endpoint = AmberServer.ParseListen(listen);
        }
        catch (FormatException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        if (!System.Net.IPAddress.IsLoopback(endpoint.Address))
        {
            env.Error.WriteLine($"amber: warning: listening on {endpoint.Address}, which is reachable from other machines.");
        }

        await using var archive = env.Open(createIfMissing: true);
        var options = new AmberServerOptions { Listen = listen };
        Amber.Revive.LlamaSharp.Hosting.LocalModelRegistry? local;
        try
        {
            local = LocalModelServing.Configure(options, localModels ?? [], freeze, env.Out);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or FormatException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        using var localModelsLifetime = local;
        await using var app = AmberServer.Build(archive, options);
        await app.StartAsync(ct).ConfigureAwait(false);
        env.Out.WriteLine($"amber: serving {archive.Directory} at {string.Join(", ", app.Urls)} (JSON API under /api); Ctrl+C stops.");
        if (archive.IsReadOnly)
        {
            env.Out.WriteLine("amber: another process holds the writer lock; serving read-only.");
        }

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
}
