using System.Security.Cryptography;
using System.Text;
using Amber.Core.Time;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Verification;

/// <summary>
/// One verify's use of <c>verify.memo</c>: loads and authenticates it, says which units' deep checks their unchanged
/// bytes let it skip, collects what this run deep-checked, and writes the new memo when the whole archive verified.
/// </summary>
internal sealed class MemoSession
{
    private readonly Archive archive;
    private readonly VerifyReport report;
    private readonly byte[]? key;
    private readonly VerifyMemo? old;
    private bool changed; // a record this run made, not one taken over from the memo on disk
    private readonly VerifyMemo next;

    public MemoSession(Archive archive, VerifyReport report, bool full)
    {
        this.archive = archive;
        this.report = report;
        key = ReadKey(archive);
        next = new VerifyMemo { ArchiveId = archive.ArchiveId, Context = Context(archive) };
        if (key is null)
        {
            report.MemoState = "unavailable";
            report.Notes.Add("verify.memo not used: this process cannot read log/signing.key, which keys it; every unit was deep-checked.");
            return;
        }

        report.MemoState = full ? "ignored" : "none";
        var path = PathOf(archive);
        if (full || !archive.FileSystem.FileExists(path))
        {
            return;
        }

        try
        {
            var memo = VerifyMemo.Parse(archive.ReadAll(path), key);
            if (memo.ArchiveId != archive.ArchiveId || memo.Version != VerifyMemo.CheckVersion || !memo.Context.AsSpan().SequenceEqual(next.Context))
            {
                report.MemoState = "rejected";
                report.Notes.Add($"verify.memo was written for another archive, check version ({memo.Version}, now {VerifyMemo.CheckVersion}), set of keys or archive.json: ignored, every unit deep-checked.");
                return;
            }

            old = memo;
            report.MemoState = "used";
        }
        catch (FormatException e)
        {
            report.MemoState = "rejected";
            report.Notes.Add($"verify.memo is not trusted: {e.Message}; ignored, every unit deep-checked.");
        }
    }

    /// <summary>The memo's record for a segment whose bytes and preceding segments are those deep-checked before, or null.</summary>
    public VerifyMemo.SegmentRecord? Skip(string name, long length, byte[]? sha, byte[] chain, bool last)
    {
        if (sha is null || old is null || !old.Segments.TryGetValue(name, out var r) || r.Length != length
            || !r.Sha256.AsSpan().SequenceEqual(sha) || !r.Chain.AsSpan().SequenceEqual(chain) || (!r.Delta.HadFooter && !last))
        {
            return null;
        }

        next.Segments[name] = r;
        report.FixityOnly.Add(new MemoisedUnit(name, r.CheckedAt, old.Version));
        return r;
    }

    /// <summary>A segment deep-checked now; memoised when its check found nothing and did not depend on keys this process lacks.</summary>
    public void Checked(string name, long length, byte[]? sha, byte[] chain, SegmentDelta delta, bool clean)
    {
        report.DeepChecked.Add(name);
        if (sha is not null && clean && delta.Locked == 0)
        {
            next.Segments[name] = new VerifyMemo.SegmentRecord(name, length, sha, chain, Now(), delta);
            changed = true;
        }
    }

    /// <summary>The index's record when its bytes and the segments' chain are those audited before, or null.</summary>
    public VerifyMemo.IndexRecord? SkipIndex(byte[]? database, byte[] wal, byte[] chain)
    {
        if (database is null || old?.Index is not { } r || !r.Database.AsSpan().SequenceEqual(database) || !r.Wal.AsSpan().SequenceEqual(wal) || !r.Chain.AsSpan().SequenceEqual(chain))
        {
            return null;
        }

        next.Index = r;
        report.FixityOnly.Add(new MemoisedUnit("index.db", r.CheckedAt, old.Version));
        return r;
    }

    public void IndexChecked(byte[] database, byte[] wal, byte[] chain, IReadOnlyList<string> notes)
    {
        next.Index = new VerifyMemo.IndexRecord(database, wal, chain, Now(), notes);
        changed = true;
    }

    /// <summary>True when an external blob file's bytes are those whose content an earlier verify checked.</summary>
    public bool BlobUnchanged(string hex, byte[]? sha) => sha is not null && old is not null && old.BlobFiles.TryGetValue(hex, out var s) && s.AsSpan().SequenceEqual(sha);

    /// <summary>
    /// Records an external blob file checked (deep or unchanged) in this run. A file whose bytes differ from those the
    /// last verify hashed, yet whose content checked out, is named in a note: zstd leaves some bits of a frame unused, so
    /// a bit flip there changes the file and not its content (found by the rot campaign), and that is still a sign of
    /// decaying storage worth seeing (or of a file `amber repair` rewrote).
    /// </summary>
    public void BlobChecked(string hex, byte[]? sha, string path)
    {
        if (sha is null)
        {
            return;
        }

        next.BlobFiles[hex] = sha;
        if (old is not null && old.BlobFiles.TryGetValue(hex, out var was) && !was.AsSpan().SequenceEqual(sha))
        {
            changed = true;
            if (!report.Faults.Any(f => f.Contains(hex, StringComparison.Ordinal)))
            {
                report.Notes.Add($"{path}: its bytes changed since the last verify (SHA-256 {Convert.ToHexStringLower(was)}, now {Convert.ToHexStringLower(sha)}), yet it still decodes to the content its id names: rewritten by `amber repair`, or its storage is decaying.");
            }
        }
        else
        {
            changed |= old is null || !old.BlobFiles.ContainsKey(hex);
        }
    }

    /// <summary>Writes the new memo when everything verified, this process may write the archive (or opened it to verify), and it differs from the one on disk.</summary>
    public void Save()
    {
        if (key is null || !report.Ok || (archive.IsReadOnly && !archive.Options.Verifying))
        {
            return;
        }

        // Every record taken over from the memo on disk and none gone: it already says what this memo would.
        if (old is not null && !changed && next.Segments.Count == old.Segments.Count && next.BlobFiles.Count == old.BlobFiles.Count && ReferenceEquals(next.Index, old.Index))
        {
            return;
        }

        try
        {
            AtomicFile.Write(archive.FileSystem, PathOf(archive), next.ToBytes(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Notes.Add($"verify.memo could not be written ({e.Message}): the next verify deep-checks every unit again.");
        }
    }

    internal static string PathOf(Archive archive) => Path.Combine(archive.Paths.Root, VerifyMemo.FileName);

    private string Now() => Timestamps.Format(archive.Options.TimeProvider.GetUtcNow());

    private static byte[]? ReadKey(Archive archive)
    {
        var path = Log.LogKeys.SigningKeyPath(archive.Paths.Root);
        try
        {
            if (!archive.FileSystem.FileExists(path))
            {
                return null;
            }

            return VerifyMemo.Key(Encoding.UTF8.GetString(archive.ReadAll(path)).Trim(), archive.ArchiveId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What a deep check's outcome depends on besides the segment's bytes: keys.db, whether a key provider is present, and archive.json.</summary>
    private static byte[] Context(Archive archive)
    {
        var fs = archive.FileSystem;
        var keys = archive.Encryption.KeyStore is { } store
            ? string.Join(",", new[] { store.Path, store.Path + "-wal" }.Where(fs.FileExists).Select(p => Convert.ToHexStringLower(Fixity.Hash(fs, p).Sha256)))
            : "";
        // archive.json too: the frames are checked against the format it states, so a change to it re-checks every segment.
        var manifest = Convert.ToHexStringLower(Fixity.Hash(fs, archive.Paths.Manifest).Sha256);
        var text = $"keys.db:{keys}\nprovider:{archive.Encryption.KeyProviderDescription}\ncontent-keys:{archive.Encryption.ContentKeys is not null}\narchive.json:{manifest}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }
}
