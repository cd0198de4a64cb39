using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;
using Amber.Viewer.Security;
using Spectre.Console;

namespace Amber.Cli.Commands.Token;

internal static class TokenCommand
{
    public static int Create(CliEnvironment env, string tenant, string scope, string? expires, bool json)
    {
        if (Store(env) is not { } store)
        {
            return ExitCodes.Failed;
        }

        DateTimeOffset? until = null;
        if (expires is not null)
        {
            until = TokenStore.ParseExpiry(expires, TimeProvider.System.GetUtcNow(), out var problem);
            if (until is null)
            {
                env.Error.WriteLine($"amber: {problem}.");
                return ExitCodes.Usage;
            }
        }

        IssuedToken issued;
        try
        {
            issued = store.Create(tenant, TokenStore.ParseScope(scope), until);
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: {e.Message.Split(" (Parameter", 2)[0]}.");
            return ExitCodes.Usage;
        }

        var t = issued.Stored;
        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["token"] = issued.Token,
                ["id"] = t.Id,
                ["tenant"] = t.Tenant,
                ["scope"] = TokenStore.ScopeName(t.Scope),
            });
            return ExitCodes.Ok;
        }

        // The token itself goes to standard output even with --quiet: it is shown this once.
        env.Error.WriteLine($"amber: token {t.Id} ({TokenStore.ScopeName(t.Scope)}, tenant {t.Tenant}{(t.Expires is null ? "" : ", expires " + t.Expires)}); it is not shown again:");
        env.Unsilenced.WriteLine(issued.Token);
        env.Info.WriteLine(t.Scope == TokenScope.Capture
            ? $"amber: send it on /v1 as {AccessCheck.GatewayHeader}: TOKEN (the provider key stays in Authorization)."
            : "amber: send it as Authorization: Bearer TOKEN, or open the viewer once at /?token=TOKEN.");
        return ExitCodes.Ok;
    }

    public static int List(CliEnvironment env, bool json)
    {
        if (Store(env) is not { } store)
        {
            return ExitCodes.Failed;
        }

        var tokens = store.List();
        var now = TimeProvider.System.GetUtcNow();
        string State(StoredToken t) => t.Revoked is not null ? "revoked"
            : t.Expires is not null && Amber.Core.Time.Timestamps.Parse(t.Expires) is { } e && e <= now ? "expired" : "active";
        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)new JsonObject
                {
                    ["id"] = t.Id,
                    ["tenant"] = t.Tenant,
                    ["scope"] = TokenStore.ScopeName(t.Scope),
                    ["created"] = t.Created,
                    ["expires"] = t.Expires,
                    ["revoked"] = t.Revoked,
                    ["state"] = State(t),
                }).ToArray()),
            });
            return ExitCodes.Ok;
        }

        if (tokens.Count == 0)
        {
            env.Out.WriteLine("The archive has no tokens; amber token create --tenant T --scope read makes one.");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("id", "tenant", "scope", "created", "expires", "state");
        foreach (var t in tokens)
        {
            table.AddRow(t.Id, Markup.Escape(t.Tenant), TokenStore.ScopeName(t.Scope), t.Created, t.Expires ?? "never", State(t));
        }

        ConsoleFactory.For(env.Out).Write(table);
        return ExitCodes.Ok;
    }

    public static int Revoke(CliEnvironment env, string id)
    {
        if (Store(env) is not { } store)
        {
            return ExitCodes.Failed;
        }

        if (!store.Revoke(id))
        {
            env.Error.WriteLine($"amber: no token {id} in {store.Path} (amber token list shows the ids).");
            return ExitCodes.Failed;
        }

        env.Info.WriteLine($"amber: token {id} revoked; a running server refuses it from the next request.");
        return ExitCodes.Ok;
    }

    /// <summary>The archive's token store, or null (with the error written) when there is no archive.</summary>
    private static TokenStore? Store(CliEnvironment env)
    {
        if (!Archive.Exists(env.ArchiveDirectory))
        {
            env.Error.WriteLine($"amber: no archive at {env.ArchiveDirectory} (amber init creates one).");
            return null;
        }

        return new TokenStore(env.ArchiveDirectory, TimeProvider.System, RandomNumberGenerator.Fill);
    }
}
