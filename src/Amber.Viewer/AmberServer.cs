using System.Net;
using Amber.Storage;
using Amber.Viewer.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Amber.Viewer;

/// <summary>Builds the one HTTP host that `amber serve` runs: JSON API now; gateway and viewer pages join it on the same port.</summary>
public static class AmberServer
{
    /// <summary>Creates the host. <paramref name="listen"/> is HOST:PORT; port 0 picks a free one.</summary>
    public static WebApplication Build(Archive archive, string listen, Action<ILoggingBuilder>? logging = null)
    {
        var endpoint = ParseListen(listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(endpoint);
            k.Limits.MaxRequestBodySize = 64L << 20;
        });
        builder.Services.AddSingleton(archive);
        var app = builder.Build();
        app.MapArchiveApi();
        app.MapLogApi();
        return app;
    }

    public static IPEndPoint ParseListen(string listen)
    {
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"--listen expects HOST:PORT (for example 127.0.0.1:8080), not \"{listen}\".");
        }

        var host = listen[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new FormatException($"--listen: \"{host}\" is not an IP address.");
        }

        return new IPEndPoint(address, port);
    }
}
