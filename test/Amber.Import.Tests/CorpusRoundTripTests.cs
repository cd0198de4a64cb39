using System.Text;
using Amber.Core.Json;
using Amber.Import.Json;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Import.Tests;

/// <summary>Over every file of ../shared/corpus: every source record comes back from the archive as its raw form, JSON-equal.</summary>
public sealed class CorpusRoundTripTests
{
    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        var dir = SharedData.PathTo("corpus");
        if (dir is null)
        {
            data.Add("(../shared is missing)");
            return data;
        }

        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(dir, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Import_EveryCorpusFile_KeepsEverySourceRecordAsItsRawForm(string relative)
    {
        var path = ImportFixture.Corpus(relative);
        using var f = new ImportFixture();
        var summary = f.Import(path);
        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.True(summary.Conversations > 0);

        var input = Sources.ImportSources.FileInput(path);
        var records = (path.EndsWith(".jsonl", StringComparison.Ordinal) ? JsonRecordReader.ReadJsonLines(input, TestContext.Current.CancellationToken) : JsonRecordReader.ReadJson(input, TestContext.Current.CancellationToken))
            .Select(r => Key(r.Bytes.Span)).ToHashSet(StringComparer.Ordinal);
        var raws = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in f.Archive.ListConversations(int.MaxValue))
        {
            foreach (var raw in f.Archive.GetConversation(c.Id)!.Raw)
            {
                raws.Add(Key(f.Archive.GetBlob(raw)));
            }
        }

        Assert.Empty(records.Except(raws));
        // One conversation per source object, except objects sharing a conversation id (OpenAssistant lists some trees twice).
        Assert.InRange(f.Archive.ListConversations(int.MaxValue).Count, summary.Conversations * 9 / 10, summary.Conversations);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);

        // Re-import: nothing new, nothing stored.
        var bytes = f.Archive.GetStats().SegmentBytes;
        var again = f.Import(path);
        Assert.Equal(0, again.NewConversations);
        Assert.Equal(0, again.NewNodes);
        Assert.Equal(bytes, f.Archive.GetStats().SegmentBytes);
    }

    private static string Key(ReadOnlySpan<byte> json)
    {
        try
        {
            return Encoding.UTF8.GetString(CanonicalJson.Canonicalize(json));
        }
        catch (CanonicalJsonException)
        {
            return Convert.ToBase64String(json); // not canonicalizable (a lone surrogate): compare exact bytes
        }
    }
}
