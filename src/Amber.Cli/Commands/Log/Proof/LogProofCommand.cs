using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Log.Proof;

internal static class LogProofCommand
{
    public static int Run(CliEnvironment env, string id, string? output)
    {
        using var archive = env.Open();
        var receipt = archive.GetReceipt(id).Format();
        if (output is null)
        {
            env.Out.Write(receipt);
        }
        else
        {
            Amber.Storage.FileSystem.AtomicFile.Write(output, System.Text.Encoding.UTF8.GetBytes(receipt)); // whole or not at all
            env.Info.WriteLine($"amber: wrote the receipt to {output}");
        }

        return ExitCodes.Ok;
    }
}
