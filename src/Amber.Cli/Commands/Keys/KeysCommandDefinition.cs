using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Keys;

internal static class KeysCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Rotate only this tenant's key (default: every tenant with content)", HelpName = "T" };
        var rotate = new Command("rotate", "Make a new tenant key current and re-wrap every data key under it (content is not rewritten); older versions are retired") { tenant, CommonOptions.Json };
        rotate.SetAction(p => KeysCommand.Rotate(env(p), p.GetValue(tenant), p.GetValue(CommonOptions.Json)));
        return new Command("keys", "The tenant keys of an encrypted archive") { rotate };
    }
}
