using Amber.Core.Hosting;
using Amber.Proxy.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// What <c>amber serve</c> and <c>amber proxy</c> say about themselves (where they listen, warnings). With
/// <c>--log-format text|json</c> each is a log message of the host's logger (event ids in <see cref="GatewayLog"/>), so
/// a JSON log stream holds only JSON objects; with <c>off</c> they are the usual "amber: …" lines. Warnings given before
/// the host exists are held until it does.
/// </summary>
internal sealed class HostMessages(CliEnvironment env, TelemetrySettings telemetry)
{
    private readonly List<string> held = [];
    private ILogger? logger;

    private bool Logs => telemetry.LogFormat != LogFormat.Off;

    /// <summary>Where lines that must stay out of logs go (an access token): stderr when stdout carries the logs.</summary>
    public TextWriter Private => Logs ? env.Error : env.Out;

    public void Warn(string text)
    {
        if (!Logs)
        {
            env.Error.WriteLine($"amber: warning: {text}");
        }
        else if (logger is null)
        {
            held.Add(text);
        }
        else
        {
            GatewayLog.HostWarning(logger, text);
        }
    }

    public void Info(string text)
    {
        if (logger is null)
        {
            env.Out.WriteLine($"amber: {text}");
        }
        else
        {
            GatewayLog.Listening(logger, text);
        }
    }

    /// <summary>From here on, messages go to the host's logger (when logs are on), the held warnings first.</summary>
    public void Attach(WebApplication app)
    {
        if (!Logs)
        {
            return;
        }

        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(GatewayLog.HostCategory);
        foreach (var text in held)
        {
            GatewayLog.HostWarning(logger, text);
        }

        held.Clear();
    }
}
