using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;

namespace Amber.Storage.Verification;

/// <summary>
/// Rebuilds the transparency log from the commit entries as verify reads them, and checks every stored
/// checkpoint (signature, origin, and that its root is the rebuilt tree's root at its size — so all stored
/// checkpoints are consistent with each other), plus any checkpoints the user kept from earlier.
/// </summary>
internal sealed class LogCheck(Archive archive, VerifyReport report)
{
    private readonly MerkleTree tree = new();
    private readonly NoteVerifier verifier = archive.Log.Verifier;
    private long latestSize = -1;

    public long Size => tree.Size;

    /// <summary>The largest checkpoint size met so far, or -1.</summary>
    public long LatestSize { get => latestSize; set => latestSize = value; }

    public void Entry(ReadOnlySpan<byte> infoBytes) => tree.AppendEntry(infoBytes);

    public byte[] LeafHash(long index) => tree.GetLeafHash(index);

    /// <summary>A commit info of a segment skipped through the memo, by the leaf hash its deep check recorded.</summary>
    public void Leaf(byte[] leafHash) => tree.AppendLeafHash(leafHash);

    public void CheckpointFrame(string where, ReadOnlySpan<byte> payload)
    {
        var result = Checkpoint.Open(payload, verifier, archive.Log.Origin);
        if (!result.IsValid)
        {
            report.Faults.Add($"{where}: checkpoint does not verify: {result.Failure}");
            return;
        }

        var cp = result.Checkpoint!;
        if (cp.Size > tree.Size)
        {
            report.Faults.Add($"{where}: checkpoint covers {cp.Size} entries, but only {tree.Size} precede it.");
            return;
        }

        if (!tree.GetRoot(cp.Size).AsSpan().SequenceEqual(cp.RootHash.Span))
        {
            report.Faults.Add($"{where}: checkpoint root for size {cp.Size} differs from the root of the stored entries (history rewritten?).");
        }

        if (cp.Size < latestSize)
        {
            report.Faults.Add($"{where}: checkpoint size {cp.Size} is smaller than an earlier checkpoint's {latestSize}.");
        }

        latestSize = Math.Max(latestSize, cp.Size);
    }

    public void Finish(IReadOnlyList<string> trusted)
    {
        if (tree.Size > 0 && latestSize < tree.Size)
        {
            report.Notes.Add(latestSize < 0
                ? $"no checkpoint covers the log's {tree.Size} entries yet (the next writer signs one)."
                : $"the latest checkpoint covers {latestSize} of {tree.Size} entries (the next writer signs a newer one).");
        }

        foreach (var text in trusted)
        {
            var result = Checkpoint.Open(System.Text.Encoding.UTF8.GetBytes(text), verifier, archive.Log.Origin);
            if (!result.IsValid)
            {
                report.Faults.Add($"a checkpoint you kept does not verify with this archive's key: {result.Failure}");
                continue;
            }

            var cp = result.Checkpoint!;
            if (cp.Size > tree.Size)
            {
                report.Faults.Add($"a checkpoint you kept covers {cp.Size} entries, but the archive holds only {tree.Size}: entries were removed.");
            }
            else if (!tree.GetRoot(cp.Size).AsSpan().SequenceEqual(cp.RootHash.Span))
            {
                report.Faults.Add($"a checkpoint you kept (size {cp.Size}) is not consistent with the archive's log: its history was rewritten.");
            }
        }
    }
}
