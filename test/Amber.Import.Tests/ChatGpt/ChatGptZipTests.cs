using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>The export zip: assets stored as blobs, and the zip guards (traversal, bomb) rejecting the whole zip.</summary>
public sealed class ChatGptZipTests
{
    private static readonly byte[] UserJson = Encoding.UTF8.GetBytes("""{"id":"user-1","chatgpt_plus_user":false}""");

    [Fact]
    public void Import_ExportZipWithPngAsset_StoresTheAssetAsABlobTheBlockPointsAt()
    {
        using var fixture = new ImportFixture();
        var zip = fixture.Temp("export.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "conversations.json", Encoding.UTF8.GetBytes(new JsonArray(WithImage("z1"), ChatGptSamples.Branched("z2")).ToJsonString()));
            Add(archive, "file-Img123-diagram.png", ChatGptSamples.Png);
            Add(archive, "user.json", UserJson);
            Add(archive, "chat.html", "<html></html>"u8.ToArray());
        }

        var summary = fixture.ImportAs(null, zip);

        Assert.Empty(summary.Errors);
        var file = Assert.Single(summary.Files, f => f.Format == "chatgpt");
        Assert.EndsWith("export.zip!conversations.json", file.File, StringComparison.Ordinal);
        Assert.Equal((2, 6, 3), (summary.Conversations, summary.Nodes, summary.Instances));

        var view = fixture.Archive.GetConversation(ChatGptImportTests.Id("z1"))!;
        var node = view.Tree.Nodes.Values.Single(n => n.Role == "user");
        var blob = Assert.IsType<BlobBlock>(node.Content[0]);
        Assert.Equal("describe this", Assert.IsType<TextBlock>(node.Content[1]).Text);
        Assert.Equal(("image", "image/png", "file-Img123-diagram.png", (long?)ChatGptSamples.Png.Length), (blob.BlobKind, blob.MediaType, blob.Name, blob.Size));
        Assert.Equal(ContentId.Of(ChatGptSamples.Png), blob.Blob);
        Assert.Equal(ChatGptSamples.Png, fixture.Archive.GetBlob(blob.Blob));
        Assert.Equal(1024, (int)node.Meta!["parts"]![0]!["width"]!);

        // The export's user.json is kept as a companion blob; the raw conversation is the source object.
        Assert.Equal(UserJson, fixture.Archive.GetBlob(ContentId.Of(UserJson)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fixture.Archive.GetBlob(view.Raw[^1])!), WithImage("z1")));
        Assert.True(ArchiveVerifier.Verify(fixture.Archive).Ok);

        // Importing the zip again adds nothing.
        var blobs = fixture.Archive.GetStats().Blobs;
        var again = fixture.ImportAs(null, zip);
        Assert.Equal((0, 0), (again.NewConversations, again.NewNodes));
        Assert.Equal(blobs, fixture.Archive.GetStats().Blobs);
    }

    [Fact]
    public void Import_ZipWithPathTraversalEntry_IsRejectedAndNothingCommitted()
    {
        using var fixture = new ImportFixture();
        var zip = fixture.Temp("traversal.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "conversations.json", Encoding.UTF8.GetBytes(new JsonArray(ChatGptSamples.Branched("t1")).ToJsonString()));
            Add(archive, "../evil.json", Encoding.UTF8.GetBytes(new JsonArray(ChatGptSamples.Branched("t2")).ToJsonString()));
        }

        var summary = fixture.ImportAs(null, zip);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("traversal.zip", error, StringComparison.Ordinal);
        Assert.Contains("\"../evil.json\" points outside the archive (path traversal)", error, StringComparison.Ordinal);
        AssertNothingCommitted(fixture);
    }

    [Fact]
    public void Import_ZipBomb_IsRejectedAndNothingCommitted()
    {
        using var fixture = new ImportFixture();
        var zip = fixture.Temp("bomb.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "conversations.json", Encoding.UTF8.GetBytes(new JsonArray(ChatGptSamples.Branched("b1")).ToJsonString()));
            var entry = archive.CreateEntry("dalle-generations/zeros.bin", CompressionLevel.SmallestSize);
            using var s = entry.Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 50; i++)
            {
                s.Write(zeros);
            }
        }

        using (var check = ZipFile.OpenRead(zip))
        {
            var bomb = check.GetEntry("dalle-generations/zeros.bin")!;
            Assert.True(bomb.Length / (double)bomb.CompressedLength > 200);
        }

        var summary = fixture.ImportAs(null, zip);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("bomb.zip!dalle-generations/zeros.bin", error, StringComparison.Ordinal);
        Assert.Contains("zip bomb", error, StringComparison.Ordinal);
        AssertNothingCommitted(fixture);
    }

    /// <summary>A conversation whose user message shows an uploaded image beside a question.</summary>
    private static JsonObject WithImage(string id)
        => ChatGptSamples.Conversation(id, [
            ("root", null, null),
            ("u1", "root", ChatGptSamples.Message("u1", "user", new JsonObject
            {
                ["content_type"] = "multimodal_text",
                ["parts"] = new JsonArray(
                    new JsonObject { ["content_type"] = "image_asset_pointer", ["asset_pointer"] = "file-service://file-Img123", ["size_bytes"] = ChatGptSamples.Png.Length, ["width"] = 1024, ["height"] = 1024 },
                    "describe this"),
            })),
            ("a1", "u1", ChatGptSamples.Message("a1", "assistant", ChatGptSamples.Text("A diagram."), metadata: new JsonObject { ["model_slug"] = "gpt-4o" })),
        ]);

    private static void Add(ZipArchive archive, string name, byte[] bytes)
    {
        using var s = archive.CreateEntry(name).Open();
        s.Write(bytes);
    }

    private static void AssertNothingCommitted(ImportFixture fixture)
    {
        var stats = fixture.Archive.GetStats();
        Assert.Equal((0L, 0L, 0L), (stats.Conversations, stats.Nodes, stats.Blobs));
        Assert.True(ArchiveVerifier.Verify(fixture.Archive).Ok);
    }
}
