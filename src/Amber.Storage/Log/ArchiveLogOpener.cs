using Amber.Storage.Catalogue;

namespace Amber.Storage.Log;

/// <summary>The transparency log of an archive being opened: its keys, and its tree checked against the segments.</summary>
internal static class ArchiveLogOpener
{
    /// <summary>
    /// Loads the log from the index once <see cref="LogAuthenticator"/> has checked it against the segments. A writer
    /// whose index disagrees rebuilds the index and checks again (<c>IndexRebuilt</c>); if the segments themselves
    /// disagree with a signed checkpoint, nothing may be signed: the archive opens without its writer
    /// (<c>MayWrite</c> false) and <c>verify</c> names the damage.
    /// </summary>
    public static (ArchiveLog Log, bool MayWrite, bool IndexRebuilt) Open(Archive archive, ArchiveCatalogue catalogue, SegmentState state, bool readOnly, List<string> actions)
    {
        var (fs, options) = (archive.FileSystem, archive.Options);
        if (!fs.FileExists(LogKeys.VerifierKeyPath(options.Directory)))
        {
            if (readOnly)
            {
                throw new CorruptArchiveException($"{options.Directory}: log/vkey is missing.");
            }

            // An archive made before the log existed gets its key pair now.
            LogKeys.Create(fs, options.Directory, options.LogOrigin ?? Archive.DefaultLogOrigin(archive.ArchiveId), options.Random);
            actions.Add("created the transparency log's signing key (log/signing.key, log/vkey)");
        }

        var (signer, vkey) = LogKeys.Load(fs, options.Directory, archive.ReadAll);
        var verifier = new Amber.Transparency.Notes.NoteVerifier(vkey);
        var (checkedLog, rebuilt) = WriterLogCheck.Run(archive, catalogue, state, verifier, vkey.Name, readOnly, actions);
        var mayWrite = checkedLog.IsAuthentic;
        if (!mayWrite && !readOnly)
        {
            actions.Add($"the segments disagree with the signed log ({checkedLog.Problem}): nothing can be signed, so the archive is open read-only; run `amber verify`");
        }

        var log = new ArchiveLog(vkey.Name, vkey, readOnly || !mayWrite ? null : signer, checkedLog.Tree, checkedLog.Latest)
        {
            Problem = checkedLog.Problem,
        };
        if (readOnly || !mayWrite)
        {
            signer?.Dispose();
        }

        return (log, mayWrite, rebuilt);
    }
}
