using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Fuzz.Engine;
using Amber.Import;
using Amber.Import.Formats;

namespace Amber.Fuzz.Targets;

/// <summary>
/// One export format. Every input is read by the format itself (its documented error is <see cref="ImportException"/>;
/// anything else escaping is a crash). Every <c>importEvery</c>-th input also goes through the real import path
/// (<see cref="Importer"/> into a real archive): a file it rejects must leave the archive exactly as it was, and
/// a file the format rejects must not be committed.
/// </summary>
public sealed class ImportFormatTarget : IFuzzTarget
{
    private readonly IConversationFormat format;
    private readonly IReadOnlyList<NamedSeed> seeds;
    private readonly int importEvery;
    private readonly Lazy<ScratchArchive> archive;
    private long count;

    public ImportFormatTarget(IConversationFormat format, int importEvery)
    {
        this.format = format;
        this.importEvery = importEvery;
        seeds = SampleSeeds.For(format);
        archive = new(() => new ScratchArchive(format.Name));
    }

    public string Name => "import-" + format.Name;

    public IReadOnlyList<byte[]> Seeds => seeds.Select(s => s.Bytes).ToList();

    public Verdict Run(byte[] input)
    {
        // Mutants keep the name of the seed they most likely came from (formats that go by name need one).
        var name = seeds[(int)(count % seeds.Count)].FileName;
        var verdict = ReadDirect(name, input);
        if (importEvery > 0 && count % importEvery == 0)
        {
            ImportForReal(name, input, verdict);
        }

        count++;
        return verdict;
    }

    private Verdict ReadDirect(string name, byte[] input)
    {
        var source = new ImportInput(name, input.Length, () => new MemoryStream(input, writable: false));
        try
        {
            foreach (var c in format.Read(source, CancellationToken.None))
            {
                foreach (var node in c.Nodes)
                {
                    try
                    {
                        _ = CanonicalNode.Of(node);
                    }
                    catch (CanonicalJsonException)
                    {
                        // The importer's documented refusal of a node with no canonical form (a number past double range):
                        // it rejects the file naming it, as the real path checks below.
                        return Verdict.Rejected;
                    }
                }
            }

            return Verdict.Accepted;
        }
        catch (ImportException)
        {
            return Verdict.Rejected;
        }
    }

    private void ImportForReal(string name, byte[] input, Verdict direct)
    {
        var scratch = archive.Value;
        var folder = Path.Combine(scratch.Folder, "in");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, input);
        var before = scratch.Fingerprint();
        var summary = new Importer(scratch.Archive, FormatRegistry.All, new ImportOptions { Format = format.Name }).Run([path]);
        var after = scratch.Fingerprint();
        var rejected = summary.Errors.Count > 0;
        if (rejected && before != after)
        {
            throw new FuzzFailure($"{Name}: the import was rejected ({summary.Errors[0]}) but the archive changed: {before} -> {after}");
        }

        // The other way round is allowed: the importer's own checks (references, limits) may refuse a file the format reads.
        if (direct == Verdict.Rejected && !rejected)
        {
            throw new FuzzFailure($"{Name}: the format rejected the file but the import committed it");
        }
    }

    public void Dispose()
    {
        if (archive.IsValueCreated)
        {
            archive.Value.Dispose();
        }
    }
}
