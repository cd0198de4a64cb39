using System.Text.Json.Nodes;
using Amber.Core.Time;
using Amber.Import.Tests.ChatGpt;

namespace Amber.Import.Tests.Pipeline;

/// <summary>
/// A conversation imported before the source's update time was kept shows its first import's time as updated; a
/// re-import of the source writes a record that states the source's time, which then replaces it (and a rebuild of the
/// index, replaying the same commits, agrees). The source time is read from the source, never from the import.
/// </summary>
public sealed class UpdatedTimeTests
{
    private static readonly DateTimeOffset SourceUpdate = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_750); // ChatGptSamples' update_time

    [Fact]
    public void Reimport_OfAConversationFirstImportedWithoutItsSourceTime_ShowsTheSourceTimeAsUpdated()
    {
        var conversation = ChatGptSamples.Branched("upd-1");
        var old = conversation.DeepClone().AsObject();
        Assert.True(old.Remove("update_time")); // the record an import wrote before update_time was mapped: no updated
        using var fx = new ImportFixture();
        var oldPath = fx.Temp("old.json");
        File.WriteAllText(oldPath, new JsonArray(old).ToJsonString());
        var path = fx.Temp("conversations.json");
        File.WriteAllText(path, new JsonArray(conversation).ToJsonString());
        Assert.Empty(fx.Import(oldPath).Errors);
        Assert.NotEqual(SourceUpdate, UpdatedOf(fx)); // the commit's time stands in

        var again = fx.Import(path);

        Assert.Empty(again.Errors);
        Assert.Equal((0, 0), (again.NewConversations, again.NewNodes));
        Assert.Equal(SourceUpdate, UpdatedOf(fx));
        fx.Archive.RebuildIndex();
        Assert.Equal(SourceUpdate, UpdatedOf(fx));
    }

    [Fact]
    public void Reimport_OfAnOlderCopy_NeverMovesUpdatedBack()
    {
        var newer = ChatGptSamples.Branched("upd-2");
        var older = newer.DeepClone().AsObject();
        older["update_time"] = 1_600_000_000.0;
        older["title"] = "an older title";
        using var fx = new ImportFixture();
        var newerPath = fx.Temp("newer.json");
        File.WriteAllText(newerPath, new JsonArray(newer).ToJsonString());
        var olderPath = fx.Temp("older.json");
        File.WriteAllText(olderPath, new JsonArray(older).ToJsonString());
        Assert.Empty(fx.Import(newerPath).Errors);

        Assert.Empty(fx.Import(olderPath).Errors);

        Assert.Equal(SourceUpdate, UpdatedOf(fx));
        fx.Archive.RebuildIndex();
        Assert.Equal(SourceUpdate, UpdatedOf(fx));
    }

    private static DateTimeOffset UpdatedOf(ImportFixture fx)
    {
        var summary = Assert.Single(fx.Archive.ListConversations(10));
        Assert.True(Timestamps.TryParse(summary.Updated, out var t), summary.Updated);
        return t;
    }
}
