using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;

namespace Amber.Cli.Infrastructure;

/// <summary>Starts a server host; an address that cannot be bound (in use, not this machine's) is one line on stderr, not a stack trace.</summary>
internal static class Listening
{
    public static async Task<bool> TryStartAsync(WebApplication app, string listen, TextWriter error, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await error.WriteLineAsync($"amber: cannot listen on {listen}: {e.Message}").ConfigureAwait(false);
            return false;
        }
    }
}
