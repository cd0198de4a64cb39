using Amber.Cli.Infrastructure;

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
