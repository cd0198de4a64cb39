using Amber.Storage;
using Amber.Storage.Verification;

namespace Amber.Torture;

/// <summary>What every trial checks after its kill: the archive opens (recovering), verify passes, and what it holds.</summary>
public static class ArchiveAudit
{
    /// <summary>Conversation id → node count, or null (with the losses recorded) if the archive does not open or verify.</summary>
    public static Dictionary<string, int>? Check(string directory, Tally tally, int trial, Action<Archive>? also = null)
    {
        try
        {
            using var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = directory });
            var report = ArchiveVerifier.Verify(archive);
            if (!report.Ok)
            {
                tally.Loss(trial, $"verify failed: {string.Join(" | ", report.Faults.Take(5))}");
                return null;
            }

            also?.Invoke(archive);
            return Snapshot(archive);
        }
        catch (Exception e) when (e is CorruptArchiveException or IOException or InvalidOperationException or InvalidDataException)
        {
            tally.Loss(trial, $"the archive does not open: {e.Message}");
            return null;
        }
    }

    public static Dictionary<string, int> Snapshot(Archive archive)
        => archive.ListConversations(1_000_000).ToDictionary(c => c.Id, c => c.Nodes, StringComparer.Ordinal);

    /// <summary>Every acknowledged conversation present, and no conversation present with other than its whole node count.</summary>
    public static void Compare(Dictionary<string, int> held, IReadOnlyDictionary<string, int> reference, IEnumerable<string> acknowledged, Tally tally, int trial)
    {
        foreach (var id in acknowledged)
        {
            if (!held.ContainsKey(id))
            {
                tally.Loss(trial, $"acknowledged conversation {id} is missing");
            }
        }

        foreach (var (id, nodes) in held)
        {
            if (reference.TryGetValue(id, out var whole) && whole != nodes)
            {
                tally.Loss(trial, $"conversation {id} is half there: {nodes} of {whole} nodes");
            }
        }
    }

    public static void Delete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
