using Amber.Storage.Catalogue;
using Amber.Storage.Segments;
using Amber.Transparency.Notes;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Log;

/// <summary>
/// The log check of an open (<see cref="LogAuthenticator"/>), and what a writer does when it fails because of the
/// index: the index is derived, so one that is damaged (in pages the catch-up did not read) or disagrees with the
/// signed log is rebuilt from the segments and checked again. A reader reports; only a writer rebuilds.
/// </summary>
internal static class WriterLogCheck
{
    public static (LogAuthenticator.Result Result, bool IndexRebuilt) Run(
        Archive archive, ArchiveCatalogue catalogue, SegmentState state, NoteVerifier verifier, string origin, bool readOnly, List<string> actions)
    {
        var rebuilt = false;
        LogAuthenticator.Result result;
        try
        {
            result = LogAuthenticator.Check(archive, catalogue.Index, state, verifier, origin, indexMayLag: readOnly);
        }
        catch (SqliteException e) when (!readOnly && ArchiveCatalogue.IsDamaged(e))
        {
            actions.Add($"index.db is damaged ({e.Message}); rebuilding it from the segments");
            catalogue.Rebuild(state);
            rebuilt = true;
            result = LogAuthenticator.Check(archive, catalogue.Index, state, verifier, origin, indexMayLag: false);
        }

        if (!result.IsAuthentic && !readOnly)
        {
            actions.Add($"the index disagrees with the signed log ({result.Problem}); rebuilding it from the segments");
            try
            {
                catalogue.Rebuild(state);
                rebuilt = true;
                result = LogAuthenticator.Check(archive, catalogue.Index, state, verifier, origin, indexMayLag: false);
            }
            catch (CorruptArchiveException e)
            {
                actions.Add($"the index could not be rebuilt: {e.Message}");
            }
        }

        return (result, rebuilt);
    }
}
