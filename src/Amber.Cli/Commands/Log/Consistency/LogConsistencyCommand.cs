using Amber.Cli.Infrastructure;
using Amber.Transparency.Merkle;

namespace Amber.Cli.Commands.Log.Consistency;

internal static class LogConsistencyCommand
{
    public static int Run(CliEnvironment env, string oldFile, bool verify)
    {
        using var archive = env.Open();
        archive.RefreshLog();
        var opened = Amber.Transparency.Checkpoints.Checkpoint.Open(File.ReadAllBytes(oldFile), archive.Log.Verifier, archive.Log.Origin);
        if (!opened.IsValid)
        {
            env.Error.WriteLine($"amber: {oldFile}: not a checkpoint signed by this log ({opened.Failure}).");
            return ExitCodes.Failed;
        }

        var old = opened.Checkpoint!;
        var latestNote = archive.Log.LatestCheckpoint;
        if (latestNote is null)
        {
            env.Error.WriteLine("amber: the log has no checkpoint yet.");
            return ExitCodes.Failed;
        }

        var latest = Amber.Transparency.Checkpoints.Checkpoint.Parse(latestNote.Text);
        if (old.Size > latest.Size)
        {
            env.Error.WriteLine($"amber: {oldFile} covers {old.Size} entries, more than the log's latest checkpoint ({latest.Size}): entries were removed.");
            return ExitCodes.Failed;
        }

        IReadOnlyList<byte[]> proof = old.Size == 0 || old.Size == latest.Size ? [] : archive.Log.ConsistencyProof(old.Size, latest.Size);
        if (!verify)
        {
            foreach (var h in proof)
            {
                env.Out.WriteLine(Convert.ToBase64String(h));
            }

            return ExitCodes.Ok;
        }

        var result = old.Size == 0
            ? Amber.Transparency.VerificationResult.Valid
            : MerkleProofs.VerifyConsistency(old.Size, latest.Size, proof, old.RootHash.Span, latest.RootHash.Span);
        if (!result.IsValid)
        {
            env.Error.WriteLine($"amber: the log is NOT consistent with {oldFile} (size {old.Size}): {result.Failure}. Its history was rewritten.");
            return ExitCodes.Failed;
        }

        env.Out.WriteLine($"ok: the log at size {latest.Size} extends the checkpoint at size {old.Size} ({proof.Count} proof hashes).");
        return ExitCodes.Ok;
    }
}
