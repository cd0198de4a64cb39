using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;

namespace Amber.Cli.Commands.Log.Vkey;

internal static class LogVkeyCommand
{
    public static int Run(CliEnvironment env)
    {
        using var archive = env.Open();
        env.Out.WriteLine(archive.Log.VerifierKey.ToString());
        return ExitCodes.Ok;
    }
}
