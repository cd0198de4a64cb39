using Amber.Import.Formats;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Import.Tests;

/// <summary>A fresh on-disk archive plus an importer over every registered format.</summary>
internal sealed class ImportFixture : IDisposable
{
    private readonly TestArchives archives = new(FileSystemKind.Local);

    public ImportFixture()
    {
        Archive = archives.Init();
    }

    public Archive Archive { get; }

    /// <summary>The archive's folder and files, for tests that read its segments directly.</summary>
    public TestArchives Files => archives;

    public string Temp(string name) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(archives.IndexPath)!, name);

    public ImportSummary Import(params string[] paths) => ImportAs(null, paths);

    /// <summary>Imports <paramref name="path"/> twice: the second import must add no conversation, node, blob or instance.</summary>
    public void AssertReimportAddsNothing(string path)
    {
        Assert.Empty(Import(path).Errors);
        var before = Archive.GetStats();

        var again = Import(path);

        Assert.Empty(again.Errors);
        Assert.Equal((0, 0), (again.NewConversations, again.NewNodes));
        var after = Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Blobs, before.Instances), (after.Conversations, after.Nodes, after.Blobs, after.Instances));
    }

    public ImportSummary ImportAs(string? format, params string[] paths)
        => new Importer(Archive, FormatRegistry.All, new ImportOptions { Format = format }).Run(paths, null, TestContext.Current.CancellationToken);

    /// <summary>
    /// The path of a file under ../shared ("corpus/…" or "samples/…": disjoint slices of the same sources, see
    /// shared/samples/PROVENANCE.md), or a skip when it is absent.
    /// </summary>
    public static string Shared(string relative)
    {
        var path = SharedData.PathTo(relative);
        if (path is null || !File.Exists(path))
        {
            Assert.Skip($"{SharedData.MissingMessage} (needed: shared/{relative})");
        }

        return path!;
    }

    /// <summary>The path of a corpus file, or a skip when ../shared is absent.</summary>
    public static string Corpus(string relative)
    {
        var path = SharedData.PathTo(Path.Combine("corpus", relative));
        if (path is null)
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        return path!;
    }

    public void Dispose()
    {
        Archive.Dispose();
        archives.Dispose();
    }
}
