using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>A fresh archive holding the corpus, imported by the real importers with their defaults: what `verify`, `search` and `export` measure on.</summary>
public static class CorpusArchive
{
    /// <summary>Creates the archive at <paramref name="directory"/> and imports <paramref name="files"/>; throws with the importer's errors if any.</summary>
    public static Archive Import(string directory, IReadOnlyList<string> files)
    {
        var archive = Archive.Init(new ArchiveOptions { Directory = directory });
        var summary = new Importer(archive, FormatRegistry.All, new ImportOptions()).Run(files);
        if (!summary.Ok)
        {
            archive.Dispose();
            throw new InvalidOperationException(string.Join("\n", summary.Errors));
        }

        return archive;
    }
}
