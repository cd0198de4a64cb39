using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Token;

internal static class TokenCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant the token reads, or captures into (letters, digits and -_.:@)", HelpName = "T", Required = true };
        var scope = new Option<string>("--scope") { Description = "read (viewer, API, blobs, receipts of its tenant), capture (/v1 and OTLP ingest into its tenant) or admin (everything, every tenant)", Required = true };
        scope.AcceptOnlyFromAmong("read", "capture", "admin");
        var expires = new Option<string?>("--expires") { Description = "When it stops working: a duration (30d, 12h, 45m) or an RFC 3339 time (default: never)", HelpName = "D" };
        var create = new Command("create", "Create a token and print it once (only a salted hash is kept)") { tenant, scope, expires, CommonOptions.Json };
        create.SetAction(p => TokenCommand.Create(env(p), p.GetValue(tenant)!, p.GetValue(scope)!, p.GetValue(expires), p.GetValue(CommonOptions.Json)));

        var list = new Command("list", "List the archive's tokens (ids, tenants, scopes, expiry, revocation; never the tokens)") { CommonOptions.Json };
        list.SetAction(p => TokenCommand.List(env(p), p.GetValue(CommonOptions.Json)));

        var id = new Argument<string>("ID") { Description = "The token's id, as amber token list shows it" };
        var revoke = new Command("revoke", "Revoke a token; a running server refuses it from the next request") { id };
        revoke.SetAction(p => TokenCommand.Revoke(env(p), p.GetValue(id)!));

        return new Command("token", "Scoped access tokens for amber serve (read, capture, admin), per tenant") { create, list, revoke };
    }
}
