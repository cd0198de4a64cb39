using System.IO.Compression;
using Amber.Fuzz.Engine;
using Amber.Import;
using Amber.Import.Formats;

namespace Amber.Fuzz.Targets;

/// <summary>
/// Zip exports through the real import path (<see cref="Importer"/> into a real archive, formats detected): the
/// importer reports a bad zip or entry in its summary, so any exception escaping it is a crash, and a run that
/// committed no file must leave the archive exactly as it was.
/// </summary>
public sealed class ZipTarget : IFuzzTarget
{
    private readonly Lazy<ScratchArchive> archive = new(() => new ScratchArchive("zip"));

    public ZipTarget()
    {
        Seeds =
        [
            Zip(("conversations.json", Synthetic("conversations.json")), ("file-abc.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])),
            Zip(("data/sharegpt.json", Synthetic("sharegpt.json")), ("data/chat.jsonl", Synthetic("chat.jsonl")), ("readme.txt", "x"u8.ToArray())),
        ];
    }

    public string Name => "zip";

    public IReadOnlyList<byte[]> Seeds { get; }

    public Verdict Run(byte[] input)
    {
        var scratch = archive.Value;
        var path = Path.Combine(scratch.Folder, "export.zip");
        File.WriteAllBytes(path, input);
        var before = scratch.Fingerprint();
        var summary = new Importer(scratch.Archive, FormatRegistry.All, new ImportOptions()).Run([path]);
        if (summary.Files.All(f => f.Error is not null || f.Conversations == 0) && scratch.Fingerprint() != before)
        {
            throw new FuzzFailure($"zip: no file of the zip was imported ({string.Join("; ", summary.Errors)}) but the archive changed");
        }

        return summary.Errors.Count > 0 ? Verdict.Rejected : Verdict.Accepted;
    }

    private static byte[] Synthetic(string name) => SampleSeeds.Synthetic.First(s => s.FileName == name).Bytes;

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(bytes);
            }
        }

        return memory.ToArray();
    }

    public void Dispose()
    {
        if (archive.IsValueCreated)
        {
            archive.Value.Dispose();
        }
    }
}
