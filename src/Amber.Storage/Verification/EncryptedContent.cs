using Amber.Storage.Keys;

namespace Amber.Storage.Verification;

/// <summary>
/// What verify says about an encrypted archive's conversations (encryption.md §11): shredded and sealed ones are
/// reported as such, not as faults; with no key provider the content is not checked and verify says so; a block that
/// cannot be opened with keys.db saying nothing about it is a fault.
/// </summary>
internal static class EncryptedContent
{
    /// <summary>Adds the notes and faults; true when the index audit's findings apply (every conversation the index holds could be opened).</summary>
    public static bool Report(Archive archive, VerifyReport report, HashSet<string> locked)
    {
        if (archive.Encryption.KeyStore is not { } store)
        {
            return true;
        }

        var shredded = store.List(KeyState.Shredded);
        var sealedRows = store.List(KeyState.Sealed);
        foreach (var row in shredded)
        {
            report.Notes.Add($"conversation {row.Subject}: shredded ({row.Changed}): its content cannot be read by anyone; its ids and log entries still verify.");
        }

        foreach (var row in sealedRows)
        {
            report.Notes.Add($"conversation {row.Subject}: sealed ({row.Changed}): its content opens only with its trustees' shares (amber unseal).");
        }

        if (archive.Encryption.KeyProviderDescription is null)
        {
            report.Notes.Add($"encrypted archive opened with no key provider: the content of {locked.Count} conversations was not opened (their node, blob and conversation ids are not recomputed, nor the index compared); the log, checkpoints, frames and segment hashes were checked. Run with the key provider to check the ids.");
            return locked.Count == 0;
        }

        var explained = shredded.Concat(sealedRows).Select(r => r.Subject).ToHashSet(StringComparer.Ordinal);
        foreach (var cid in locked.Where(c => !explained.Contains(c)).Order(StringComparer.Ordinal).Take(20))
        {
            report.Faults.Add($"conversation {cid}: its encrypted content cannot be opened and {store.Path} does not say it was shredded or sealed (its data key is missing).");
        }

        if (sealedRows.Count > 0)
        {
            report.Notes.Add($"the index was not compared with the segments: {sealedRows.Count} sealed conversations are indexed but their content cannot be opened to compare.");
            return false;
        }

        return true;
    }
}
