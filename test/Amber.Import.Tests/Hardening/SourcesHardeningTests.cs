using System.Diagnostics;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Import.Tests.ChatGpt;
using Amber.Testing;

namespace Amber.Import.Tests.Hardening;

/// <summary>Issue 20, items 2 and 12: only regular files inside an export folder are ever opened.</summary>
public sealed class SourcesHardeningTests
{
    private static readonly byte[] Secret = "{\"secret\": \"outside the export folder\"}"u8.ToArray();

    [Fact]
    public void Item02_Import_CompanionSymlinkedOutsideTheFolder_IsSkippedAndNotStored()
    {
        using var fx = new ImportFixture();
        using var outside = new TempDirectory();
        using var export = new TempDirectory();
        File.WriteAllBytes(outside.Combine("secret.json"), Secret);
        ChatGptSamples.Write(export.Combine("conversations.json"), ChatGptSamples.Branched("c1"));
        File.CreateSymbolicLink(export.Combine("user.json"), outside.Combine("secret.json"));

        var summary = fx.Import(export.Path);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(1, summary.NewConversations);
        Assert.Null(fx.Archive.GetBlob(ContentId.Of(Secret)));
        var skipped = Assert.Single(summary.Skipped, s => s.Path.EndsWith("user.json", StringComparison.Ordinal));
        Assert.Contains("outside the export folder", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Item02_Import_AssetSymlinkedOutsideTheFolder_IsNotRead()
    {
        using var fx = new ImportFixture();
        using var outside = new TempDirectory();
        using var export = new TempDirectory();
        File.WriteAllBytes(outside.Combine("private.png"), Secret);
        ChatGptSamples.Write(export.Combine("conversations.json"), WithAsset("c2", "file-service://file-Leak"));
        File.CreateSymbolicLink(export.Combine("file-Leak-photo.png"), outside.Combine("private.png"));

        var summary = fx.Import(export.Combine("conversations.json"));

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Null(fx.Archive.GetBlob(ContentId.Of(Secret)));
        Assert.Contains(summary.Skipped, s => s.Path.EndsWith("file-Leak-photo.png", StringComparison.Ordinal));
    }

    [Fact]
    public void Item02_Import_AssetLinkedToAFileInsideTheFolder_IsReadLikeItsTarget()
    {
        using var fx = new ImportFixture();
        using var export = new TempDirectory();
        Directory.CreateDirectory(export.Combine("real"));
        File.WriteAllBytes(export.Combine("real", "image.png"), ChatGptSamples.Png);
        ChatGptSamples.Write(export.Combine("conversations.json"), WithAsset("c3", "file-service://file-Inside"));
        File.CreateSymbolicLink(export.Combine("file-Inside.png"), Path.Combine("real", "image.png"));

        var summary = fx.Import(export.Path);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.NotNull(fx.Archive.GetBlob(ContentId.Of(ChatGptSamples.Png)));
        Assert.Empty(summary.Skipped);
    }

    [Fact]
    public void Item12_Import_CompanionLinkedToDevZero_IsSkippedNotRead()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");
        using var fx = new ImportFixture();
        using var export = new TempDirectory();
        ChatGptSamples.Write(export.Combine("conversations.json"), ChatGptSamples.Branched("c4"));
        File.CreateSymbolicLink(export.Combine("user.json"), "/dev/zero");

        var summary = fx.Import(export.Combine("conversations.json"));

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Contains(summary.Skipped, s => s.Path.EndsWith("user.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Item12_Import_FifoNamedUserJson_IsSkippedWithoutOpeningIt()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "FIFOs need a Unix system");
        using var fx = new ImportFixture();
        using var export = new TempDirectory();
        ChatGptSamples.Write(export.Combine("conversations.json"), ChatGptSamples.Branched("c5"));
        MakeFifo(export.Combine("user.json"));

        // Opening the FIFO would block forever (no writer): the import must finish without a reader on it.
        var run = Task.Run(() => fx.Import(export.Path), TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)) == run;
        if (!finished)
        {
            File.WriteAllText(export.Combine("user.json"), "{}"); // unblock the reader so the test process can end
        }

        Assert.True(finished, "the import hung on a FIFO");
        var summary = await run;
        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(1, summary.NewConversations);
        var skipped = Assert.Single(summary.Skipped);
        Assert.Contains("not a regular file", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Item12_Import_DirectorySymlinkLoops_ImportEachFileOnce()
    {
        using var fx = new ImportFixture();
        using var export = new TempDirectory();
        ChatGptSamples.Write(export.Combine("conversations.json"), ChatGptSamples.Branched("c6"));
        Directory.CreateDirectory(export.Combine("a"));
        Directory.CreateSymbolicLink(export.Combine("a", "loop"), export.Path);
        Directory.CreateSymbolicLink(export.Combine("self"), ".");

        var summary = fx.Import(export.Path);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Single(summary.Files);
        Assert.Equal(1, summary.Conversations);
        Assert.Equal(2, summary.Skipped.Count(s => s.Reason.Contains("folder", StringComparison.Ordinal)));
    }

    [Fact]
    public void Item12_Import_ExplicitDevice_IsRefusedWithoutReading()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");
        using var fx = new ImportFixture();

        var summary = fx.Import("/dev/zero");

        var error = Assert.Single(summary.Errors);
        Assert.Equal("/dev/zero: not a regular file (a FIFO, socket or device); only regular files, folders and zips are imported.", error);
    }

    /// <summary>
    /// A file named alone is imported alone: what its folder holds besides (a FIFO, a deep tree) is no part of the import
    /// and is not reported as skipped, and the walk for its assets is bounded; an asset two folders down is still found.
    /// </summary>
    [Fact]
    public void Import_OneFileBesideAFifoAndADeepTree_ReportsNothingItDidNotOpen_AndStillFindsItsAsset()
    {
        using var fx = new ImportFixture();
        using var export = new TempDirectory();
        ChatGptSamples.Write(export.Combine("conversations.json"), WithAsset("c9", "file-service://file-Deep"));
        Directory.CreateDirectory(export.Combine("c9", "audio"));
        File.WriteAllBytes(export.Combine("c9", "audio", "file-Deep.png"), ChatGptSamples.Png);
        MakeFifo(export.Combine("a-fifo"));
        var deep = export.Combine("d1", "d2", "d3", "d4");
        Directory.CreateDirectory(deep);
        MakeFifo(Path.Combine(deep, "deep-fifo"));

        var summary = fx.Import(export.Combine("conversations.json"));

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Empty(summary.Skipped);
        Assert.NotNull(fx.Archive.GetBlob(ContentId.Of(ChatGptSamples.Png)));
    }

    private static JsonObject WithAsset(string id, string pointer) => ChatGptSamples.Conversation(id, [
        ("u1-" + id, null, ChatGptSamples.Message("u1-" + id, "user", new JsonObject
        {
            ["content_type"] = "multimodal_text",
            ["parts"] = new JsonArray(new JsonObject { ["content_type"] = "image_asset_pointer", ["asset_pointer"] = pointer }),
        })),
    ]);

    private static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
