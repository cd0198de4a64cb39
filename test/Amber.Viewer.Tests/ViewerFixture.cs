using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;
using Amber.Testing;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests;

/// <summary>
/// One archive and one real server on loopback for the page and browser tests: seven sample conversations,
/// a branched one with a revival, a hostile one, the reading test (math, code, scripts), and (when ../shared is present) the OpenAssistant trees and a
/// ChatGPT export from ../shared/corpus, imported with the real importer.
/// </summary>
public sealed class ViewerFixture : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);

    public Archive Archive { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public List<(string Conversation, IReadOnlyList<string> Leaves)> Samples { get; } = [];

    public string Branched { get; private set; } = "";

    public Dictionary<string, string> BranchedNodes { get; private set; } = [];

    public string Hostile { get; private set; } = "";

    public string HostileLeaf { get; private set; } = "";

    /// <summary>The conversation of <see cref="ReadingSamples"/> (math, code, CJK, Arabic, emoji, one regenerated answer).</summary>
    public string Reading { get; private set; } = "";

    public Dictionary<string, string> ReadingNodes { get; private set; } = [];

    /// <summary>The id of an imported branched conversation with generated turns, or null when ../shared is absent.</summary>
    public string? CorpusBranched { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Archive = archives.Init();
        for (var i = 0; i < 7; i++)
        {
            var (batch, cid, leaves) = SampleConversations.Create(i);
            Archive.Commit(batch);
            Samples.Add((cid, leaves));
        }

        (Branched, BranchedNodes) = ViewerSamples.Branched(Archive);
        (Hostile, HostileLeaf) = ViewerSamples.Hostile(Archive);
        (Reading, ReadingNodes) = ReadingSamples.Create(Archive);
        if (SharedData.Directory is not null)
        {
            var inputs = new[] { "corpus/oasst-en100-trees", "corpus/chatgpt-export-yoonchoonkoon-archive" }.Select(SharedData.PathTo).OfType<string>().Where(Directory.Exists).ToList();
            var summary = new Importer(Archive, FormatRegistry.All, new ImportOptions()).Run(inputs);
            if (!summary.Ok)
            {
                throw new InvalidOperationException($"importing {string.Join(", ", inputs)} failed: {string.Join("; ", summary.Errors)}");
            }

            // A real export's branched conversation with generated turns (so it has model cards), not too long.
            CorpusBranched = Archive.PageConversations(int.MaxValue, new Storage.Reading.ConversationFilter(Source: "chatgpt"))
                .Concat(Archive.PageConversations(int.MaxValue, new Storage.Reading.ConversationFilter(Source: "oasst")))
                .Where(c => c.Instances > 1 && c.Models.Count > 0 && c.Nodes < 400)
                .Select(c => c.Id).FirstOrDefault();
        }

        await Archive.EnsureCheckpointAsync();
        App = AmberServer.Build(Archive, "127.0.0.1:0");
        await App.StartAsync();
        BaseUrl = App.Urls.First();
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Archive.Dispose();
        archives.Dispose();
    }
}
