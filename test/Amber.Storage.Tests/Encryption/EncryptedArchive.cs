using System.Security.Cryptography;
using System.Text;
using Amber.Core.Model;
using Amber.Storage.Keys;
using Amber.Testing;

namespace Amber.Storage.Tests.Encryption;

/// <summary>An encrypted archive on the local disk with a file key provider in a folder of its own, and a conversation full of canaries.</summary>
internal sealed class EncryptedArchive : IDisposable
{
    private readonly TempDirectory temp = new("amber-encrypted");

    public EncryptedArchive()
    {
        Archives = new TestArchives(FileSystemKind.Local);
        KeysFolder = temp.Combine("keys");
    }

    public TestArchives Archives { get; }

    public string KeysFolder { get; }

    public string Directory => Archives.Directory;

    /// <summary>Options with encryption on (or as given) and the file provider; <paramref name="withKeys"/> false opens with no provider.</summary>
    public ArchiveOptions Options(bool? encryption = true, bool withKeys = true) => Archives.Options(o => o with
    {
        Encryption = encryption,
        IndexPath = null, // index.db inside the archive folder, where a scan of the folder sees it
        KeyProvider = withKeys ? _ => new FileKeyProvider(KeysFolder, RandomNumberGenerator.Create()) : null,
    });

    public Archive Init(bool? encryption = true) => Archive.Init(Options(encryption));

    public Archive Open(bool withKeys = true, bool readOnly = false) => Archive.Open(Options(withKeys: withKeys) with { ReadOnly = readOnly });

    /// <summary>A conversation whose message, attachment, raw bytes and title each hold one of <paramref name="canaries"/>' four strings.</summary>
    public static (CommitBatch Batch, string ConversationId, string Leaf) CanaryConversation(string tag, string? tenant = null)
    {
        var batch = new CommitBatch("test") { Tenant = tenant };
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = "canary-" + tag, Title = $"title-canary-{tag}" });
        part.AddRaw(Encoding.UTF8.GetBytes($"{{\"raw\":\"raw-canary-{tag}\"}}"));
        var attachment = batch.AddBlob(Encoding.UTF8.GetBytes($"attachment-canary-{tag} in a text file"));
        var root = part.AddNode(new Node { Role = "user", Content = [new TextBlock($"message-canary-{tag} asks something"), new BlobBlock("attachment", attachment, "text/plain", "notes.txt", null)] });
        var leaf = part.AddNode(new Node { Parent = root, Role = "assistant", Content = [new TextBlock($"answer-canary-{tag} replies")] });
        return (batch, part.Id, leaf);
    }

    public static string[] Canaries(string tag) => [$"title-canary-{tag}", $"raw-canary-{tag}", $"attachment-canary-{tag}", $"message-canary-{tag}", $"answer-canary-{tag}"];

    public void Dispose()
    {
        Archives.Dispose();
        temp.Dispose();
    }
}
