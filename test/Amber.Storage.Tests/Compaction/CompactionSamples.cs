using Amber.Storage.Reading;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Compaction;

/// <summary>The compaction tests' archive: sample conversations committed, what must read back identical, and verify.</summary>
internal static class CompactionSamples
{
    public static List<string> Seed(Archive archive, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (b, id, _) = SampleConversations.Create(i, turns: 6);
            archive.Commit(b);
            ids.Add(id);
        }

        archive.EnsureCheckpointAsync().GetAwaiter().GetResult();
        return ids;
    }

    /// <summary>Each conversation with its raw blobs, and the log entries of the seeded commits (read through their frames, merged or not).</summary>
    public static Dictionary<string, string> Snapshot(Archive archive, List<string> ids)
    {
        var snapshot = ids.ToDictionary(id => id, id => Describe(archive, id));
        snapshot["log"] = string.Join(",", Enumerable.Range(0, ids.Count).Select(i => Convert.ToHexStringLower(archive.GetLogEntry(i) ?? [])));
        return snapshot;
    }

    /// <summary>One conversation as it reads back: its JSON and its raw blobs.</summary>
    public static string Describe(Archive archive, string id)
    {
        var view = archive.GetConversation(id) ?? throw new InvalidOperationException($"conversation {id} is missing");
        var raw = string.Join(",", view.Raw.Select(b => Convert.ToHexStringLower(archive.GetBlob(b) ?? [])));
        return ReadingJson.Serialize(ReadingJson.Conversation(view)) + "|" + raw;
    }

    public static void AssertVerifies(Archive archive)
    {
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
    }
}
