using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Verify;

internal static class VerifyCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var kept = new Option<string[]>("--checkpoint") { Description = "A signed checkpoint kept from earlier (repeatable): the log must still be consistent with it" };
        var full = new Option<bool>("--full") { Description = "Deep-check every segment and the index even where verify.memo says their bytes are unchanged since the last deep check (the memo is rewritten)" };
        var phases = new Option<bool>("--phases") { Description = "Print on stderr the wall time of each step: process start to the command, the open, each phase of the verify, the close" };
        var command = new Command("verify", "Re-read and hash every byte, and check every frame, footer, hash, hash chain, the log and the index (deep checks are skipped only for bytes unchanged since a verify deep-checked them); exit 0 only if all holds") { kept, full, phases, CommonOptions.Json };
        command.SetAction(parse => VerifyCommand.Run(env(parse), parse.GetValue(CommonOptions.Json), parse.GetValue(kept) ?? [], parse.GetValue(full), parse.GetValue(phases)));
        return command;
    }
}
