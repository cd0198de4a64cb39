using System.Text.Json.Nodes;
using Amber.Import.Tests.ChatGpt;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Import.Tests;

/// <summary>
/// Properties over random conversation trees (as ChatGPT exports): importing twice stores nothing new, and
/// importing an older export (a random ancestor-closed part of each tree) then the full one gives exactly
/// the archive a direct import of the full export gives.
/// </summary>
public sealed class ImportProperties
{
    /// <summary>A random tree: parents[i] is the parent of message i (an earlier message, or -1 for the root).</summary>
    private static Gen<int[]> Trees =>
        from size in Gen.Choose(1, 25)
        from picks in Gen.ArrayOf(Gen.Choose(0, 1000), size)
        select picks.Select((p, i) => i == 0 ? -1 : p % (i + 1) - 1).ToArray();

    private static JsonObject Export(string id, int[] parents, Func<int, bool> keep)
    {
        var entries = new List<(string, string?, JsonObject?)> { ("root", null, null) };
        for (var i = 0; i < parents.Length; i++)
        {
            if (!keep(i))
            {
                continue;
            }

            var role = i % 2 == 0 ? "user" : "assistant";
            entries.Add(($"m{i}", parents[i] < 0 ? "root" : $"m{parents[i]}", ChatGptSamples.Message($"m{i}", role, ChatGptSamples.Text($"message {i} of {id}"), 1700000000 + i)));
        }

        return ChatGptSamples.Conversation(id, entries);
    }

    private static string Write(ImportFixture f, string name, params JsonObject[] conversations)
    {
        var path = f.Temp(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, new JsonArray(conversations.Select(c => (JsonNode)c).ToArray()).ToJsonString());
        return path;
    }

    [Property(MaxTest = 25)]
    public Property Import_Twice_AddsNothing() => Prop.ForAll(Trees.ToArbitrary(), parents =>
    {
        using var f = new ImportFixture();
        var path = Write(f, "once/conversations.json", Export("c1", parents, _ => true));
        var first = f.Import(path);
        var stored = f.Archive.GetStats();
        var second = f.Import(path);
        var after = f.Archive.GetStats();
        return first.Ok && second.Ok && second.NewConversations == 0 && second.NewNodes == 0
            && after.Nodes == parents.Length && after.SegmentBytes == stored.SegmentBytes && after.Commits == stored.Commits;
    });

    [Property(MaxTest = 25)]
    public Property Import_OlderThenNewerExport_MergesIntoTheFullTree() => Prop.ForAll(Trees.ToArbitrary(), Gen.Choose(0, 1 << 20).ToArbitrary(), (parents, seed) =>
    {
        // An older export holds an ancestor-closed part of the tree: a message only if its parent is there.
        var rng = new Random(seed);
        var kept = new bool[parents.Length];
        for (var i = 0; i < parents.Length; i++)
        {
            kept[i] = (parents[i] < 0 || kept[parents[i]]) && rng.Next(3) > 0;
        }

        using var merged = new ImportFixture();
        var older = Write(merged, "older/conversations.json", Export("c1", parents, i => kept[i]));
        var newer = Write(merged, "newer/conversations.json", Export("c1", parents, _ => true));
        var a = merged.Import(older);
        var b = merged.Import(newer);

        using var direct = new ImportFixture();
        direct.Import(Write(direct, "full/conversations.json", Export("c1", parents, _ => true)));
        var mergedView = merged.Archive.GetConversation(merged.Archive.ListConversations(1)[0].Id)!;
        var directView = direct.Archive.GetConversation(direct.Archive.ListConversations(1)[0].Id)!;
        return a.Ok && b.Ok && merged.Archive.GetStats().Conversations == 1
            && mergedView.Tree.Nodes.Keys.Order(StringComparer.Ordinal).SequenceEqual(directView.Tree.Nodes.Keys.Order(StringComparer.Ordinal))
            && mergedView.Summary.Instances == directView.Summary.Instances;
    });
}
