using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>
/// Imports each ChatGPT corpus file once (auto-detected) into its own archive, shared by the tests of a
/// class; when ../shared is absent nothing is imported and each test skips.
/// </summary>
public sealed class ChatGptCorpusFixture : IDisposable
{
    public const string Archive = "chatgpt-export-yoonchoonkoon-archive/conversations.json";
    public const string Graph = "chatgpt-export-chatgpt2graph/conversations.json";

    public ChatGptCorpusFixture()
    {
        if (SharedData.PathTo(Path.Combine("corpus", Archive)) is not { } archivePath || !File.Exists(archivePath)
            || SharedData.PathTo(Path.Combine("corpus", Graph)) is not { } graphPath || !File.Exists(graphPath))
        {
            return;
        }

        ArchivePath = archivePath;
        GraphPath = graphPath;
        ArchiveImport = new ImportFixture();
        ArchiveSummary = ArchiveImport.ImportAs(null, archivePath);
        ArchiveSource = ChatGptSource.Load(archivePath);
        GraphImport = new ImportFixture();
        GraphSummary = GraphImport.ImportAs(null, graphPath);
        GraphSource = ChatGptSource.Load(graphPath);
    }

    internal string? ArchivePath { get; }

    internal string? GraphPath { get; }

    internal ImportFixture? ArchiveImport { get; }

    internal ImportSummary? ArchiveSummary { get; }

    internal JsonArray? ArchiveSource { get; }

    internal ImportFixture? GraphImport { get; }

    internal ImportSummary? GraphSummary { get; }

    internal JsonArray? GraphSource { get; }

    /// <summary>Skips the calling test when the corpus is absent.</summary>
    internal void Require()
    {
        if (ArchiveImport is null)
        {
            Assert.Skip(SharedData.MissingMessage);
        }
    }

    public void Dispose()
    {
        ArchiveImport?.Dispose();
        GraphImport?.Dispose();
    }
}
