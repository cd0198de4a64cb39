using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Receipts;
using Amber.Viewer.Security;

namespace Amber.Viewer.Receipts;

/// <summary>
/// A node's or conversation's receipt, checked on the server against the log as it is now: the checkpoint
/// must verify with the archive's key, be the latest one, and the inclusion proof must lead from the leaf
/// hash of the archive's own copy of the entry to that checkpoint's root.
/// </summary>
public sealed record ReceiptCheck(bool Valid, long? Index, long? CheckpointSize, string? Origin, string? Failure, TlogProof? Receipt)
{
    public static ReceiptCheck For(Archive archive, string id) => For(new TenantView(archive, null), id);

    /// <summary>The receipt of <paramref name="id"/> if <paramref name="scope"/> may see it; another tenant's id fails as a missing one does.</summary>
    public static ReceiptCheck For(TenantView scope, string id)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var archive = scope.Archive;
        if (scope.Tenant is not null && scope.Resolve(id) is { Kind: ResolvedKind.None } missing)
        {
            return new ReceiptCheck(false, null, null, null, $"{id}: {missing.Problem}.", null);
        }

        TlogProof receipt;
        try
        {
            receipt = archive.GetReceipt(id);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return new ReceiptCheck(false, null, null, null, e.Message, null);
        }

        var entry = archive.GetLogEntry(receipt.Index);
        if (entry is null)
        {
            return new ReceiptCheck(false, receipt.Index, null, null, $"The archive has no log entry {receipt.Index}.", receipt);
        }

        CheckpointVerification result = receipt.Verify(archive.Log.Verifier, MerkleHash.HashLeaf(entry), archive.Log.Origin);
        var size = result.Checkpoint?.Size;
        var failure = result.Failure;
        if (failure is null && archive.Log.LatestCheckpoint is { } latest && latest.Text != receipt.SignedCheckpoint.Text)
        {
            failure = "The receipt's checkpoint is not the log's latest.";
        }

        return new ReceiptCheck(failure is null, receipt.Index, size, archive.Log.Origin, failure, receipt);
    }
}
