using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Seal;

internal static class SealCommandDefinition
{
    public static Command CreateSeal(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The conversation to seal" };
        var trustees = new Option<FileInfo>("--trustees") { Description = "The trustees: one per line, NAME x25519:BASE64-PUBLIC-KEY", Required = true, HelpName = "FILE" };
        var threshold = new Option<int>("--threshold") { Description = "How many trustees must give their share to unseal it (2 to N)", Required = true, HelpName = "K" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in keys.db)", HelpName = "TEXT" };
        var command = new Command("seal", "Put a conversation out of reach until K of N trustees together unseal it") { id, trustees, threshold, reason };
        command.SetAction(p => SealCommand.Seal(env(p), p.GetValue(id)!, p.GetValue(trustees)!, p.GetValue(threshold), p.GetValue(reason)));
        return command;
    }

    public static Command CreateUnseal(Func<ParseResult, CliEnvironment> env)
    {
        var id = new Argument<string>("ID") { Description = "The sealed conversation" };
        var keys = new Option<FileInfo[]>("--trustee-key") { Description = "A trustee's private key file (NAME x25519-private:BASE64); give K of them", Required = true, HelpName = "FILE", AllowMultipleArgumentsPerToken = false };
        var command = new Command("unseal", "Open a sealed conversation again with K of its trustees' keys") { id, keys };
        command.SetAction(p => SealCommand.Unseal(env(p), p.GetValue(id)!, p.GetValue(keys)!));
        return command;
    }
}
