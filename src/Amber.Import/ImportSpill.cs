using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Import;

/// <summary>
/// The conversations of a file too large to hold between the checking pass and the commit pass, kept in a
/// private temporary file in their prepared form (record, models, blobs, raw bytes and each node's canonical
/// bytes), so the commit pass reads them back instead of parsing and normalizing the whole file a second time.
/// The file is created owner-only and deleted when disposed.
/// </summary>
internal sealed class ImportSpill : IDisposable
{
    private readonly FileStream file;
    private readonly BinaryWriter writer;
    private int count;

    private ImportSpill(FileStream file)
    {
        this.file = file;
        writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true);
    }

    public static ImportSpill Create()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
            BufferSize = 1 << 20,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // conversations are private
        }

        var path = Path.Combine(Path.GetTempPath(), "amber-import-" + Path.GetRandomFileName() + ".spill");
        return new ImportSpill(new FileStream(path, options));
    }

    public void Add(ImportedConversation c, IReadOnlyList<CanonicalNode> nodes)
    {
        Bytes(CanonicalJson.Canonicalize(c.Record.ToJson()));
        writer.Write(c.Models.Count);
        foreach (var m in c.Models)
        {
            Bytes(CanonicalJson.Canonicalize(m.ToJson()));
        }

        List(c.Blobs);
        List(c.Companions);
        Bytes(c.Raw.Span);
        writer.Write(nodes.Count);
        foreach (var n in nodes)
        {
            Bytes(n.Bytes.Span);
        }

        count++;
    }

    /// <summary>Everything added, in order; reading starts over from the first.</summary>
    public IEnumerable<(ImportedConversation Conversation, IReadOnlyList<CanonicalNode> Nodes)> ReadAll()
    {
        writer.Flush();
        file.Position = 0;
        using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
        byte[] Bytes() => reader.ReadBytes(reader.ReadInt32());
        JsonObject Json() => CanonicalJson.Parse(Bytes())!.AsObject();
        List<ReadOnlyMemory<byte>> List() => [.. Enumerable.Range(0, reader.ReadInt32()).Select(_ => (ReadOnlyMemory<byte>)Bytes())];
        for (var i = 0; i < count; i++)
        {
            var record = ConversationRecord.FromJson(Json());
            var models = Enumerable.Range(0, reader.ReadInt32()).Select(_ => ModelReference.FromJson(Json())).ToList();
            var blobs = List();
            var companions = List();
            var raw = Bytes();
            var nodes = Enumerable.Range(0, reader.ReadInt32()).Select(_ => CanonicalNode.FromCanonicalBytes(Bytes())).ToList();
            var conversation = new ImportedConversation
            {
                Record = record,
                Nodes = [.. nodes.Select(n => n.Node)],
                Canonical = nodes,
                Raw = raw,
                Models = models,
                Blobs = blobs,
                Companions = companions,
            };
            yield return (conversation, nodes);
        }
    }

    public void Dispose()
    {
        writer.Dispose();
        file.Dispose();
    }

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private void List(IReadOnlyList<ReadOnlyMemory<byte>> items)
    {
        writer.Write(items.Count);
        foreach (var b in items)
        {
            Bytes(b.Span);
        }
    }
}
