using System.Security.Cryptography;
using System.Text;
using Amber.Fuzz.Engine;
using Amber.Import.Bag;
using Amber.Storage;
using Amber.Storage.Export;
using Amber.Testing;

namespace Amber.Fuzz.Targets;

/// <summary>
/// Amber's own export format, a bag from <c>amber export --bagit</c>, read back by <see cref="BagImporter"/>. A bag is a
/// folder, so an input is one of its files: the file's path, a newline, then its bytes (a path the bag does not hold
/// means data/log/commits.jsonl). The mutated file replaces its original in a copy of a real bag; every other input has
/// its manifest lines recomputed (those of odd length), so mutants get past the SHA-256 manifests into the records, commits, receipts and
/// checkpoint behind them. Every input is imported into an archive that already holds the bag's log (which must refuse
/// it or find it already there, committing nothing); every <c>importEvery</c>-th also into a new empty archive, where
/// a refused bag must leave nothing behind. The documented error is <see cref="BagRefusedException"/>.
/// </summary>
public sealed class BagTarget : IFuzzTarget
{
    private const string DefaultFile = "data/log/commits.jsonl";

    private readonly int importEvery;
    // In memory where the machine has it: every input rewrites a file of the bag and restores it.
    private readonly string folder = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"amber-fuzz-bag-{Guid.NewGuid():N}");
    private readonly string bag;
    private readonly Dictionary<string, byte[]> pristine = new(StringComparer.Ordinal);
    private readonly Archive holder;
    private long count;

    public BagTarget(int importEvery)
    {
        this.importEvery = importEvery;
        bag = Path.Combine(folder, "bag");
        var source = Path.Combine(folder, "source");
        using (var archive = Archive.Init(new ArchiveOptions { Directory = source, CreateIfMissing = true, CompressionLevel = 1 }))
        {
            for (var i = 0; i < 3; i++)
            {
                archive.Commit(SampleConversations.Create(i, turns: 2, branches: i == 1 ? 2 : 1, withAttachment: i == 2).Batch);
            }

            BagExport.Write(archive, bag);
        }

        foreach (var file in Directory.EnumerateFiles(bag, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            pristine[Path.GetRelativePath(bag, file).Replace(Path.DirectorySeparatorChar, '/')] = File.ReadAllBytes(file);
        }

        holder = Archive.Init(new ArchiveOptions { Directory = Path.Combine(folder, "holder"), CreateIfMissing = true, CompressionLevel = 1 });
        BagImporter.ImportAsync(holder, bag).GetAwaiter().GetResult();
        Seeds = [.. pristine.Where(p => p.Value.Length <= 64 << 10).Select(p => (byte[])[.. Encoding.UTF8.GetBytes(p.Key + "\n"), .. p.Value])];
    }

    public string Name => "bag";

    public IReadOnlyList<byte[]> Seeds { get; }

    public Verdict Run(byte[] input)
    {
        var (file, bytes) = Split(input);
        var fixup = input.Length % 2 == 1; // from the input, so a saved input replays the same way
        var real = importEvery > 0 && count % importEvery == 0;
        count++;
        Write(file, bytes, fixup);
        try
        {
            var verdict = ImportInto(holder, "an archive holding the bag's log");
            if (real)
            {
                var fresh = Archive.Init(new ArchiveOptions { Directory = Path.Combine(folder, "fresh"), CreateIfMissing = true, CompressionLevel = 1 });
                try
                {
                    verdict = ImportInto(fresh, "a new archive") == Verdict.Rejected ? Verdict.Rejected : verdict;
                }
                finally
                {
                    fresh.Dispose();
                    Directory.Delete(Path.Combine(folder, "fresh"), recursive: true);
                }
            }

            return verdict;
        }
        finally
        {
            Restore(file, fixup);
        }
    }

    /// <summary>Imports the mutated bag; a refusal must leave <paramref name="archive"/> as it was.</summary>
    private Verdict ImportInto(Archive archive, string what)
    {
        var before = archive.Log.Size; // every commit appends a log entry
        try
        {
            BagImporter.ImportAsync(archive, bag).GetAwaiter().GetResult();
            return Verdict.Accepted;
        }
        catch (BagRefusedException e)
        {
            if (archive.Log.Size != before)
            {
                throw new FuzzFailure($"bag: refused ({e.Message}) but {what} changed: log {before} -> {archive.Log.Size}");
            }

            return Verdict.Rejected;
        }
    }

    private (string File, byte[] Bytes) Split(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        if (newline > 0 && pristine.ContainsKey(Encoding.UTF8.GetString(input, 0, newline)))
        {
            return (Encoding.UTF8.GetString(input, 0, newline), input[(newline + 1)..]);
        }

        return (DefaultFile, input);
    }

    private void Write(string file, byte[] bytes, bool fixup)
    {
        File.WriteAllBytes(PathOf(file), bytes);
        if (!fixup)
        {
            return;
        }

        // The manifests say the new digest: the payload manifest for a file under data/, the tag manifest for the rest
        // (and for the payload manifest once it changed).
        if (file.StartsWith("data/", StringComparison.Ordinal))
        {
            Reline("manifest-sha256.txt", file, bytes);
            Reline("tagmanifest-sha256.txt", "manifest-sha256.txt", File.ReadAllBytes(PathOf("manifest-sha256.txt")));
        }
        else if (file != "tagmanifest-sha256.txt")
        {
            Reline("tagmanifest-sha256.txt", file, bytes);
        }
    }

    private void Reline(string manifest, string file, byte[] bytes)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var lines = Encoding.UTF8.GetString(pristine[manifest]).Split('\n')
            .Select(l => l.EndsWith("  " + file, StringComparison.Ordinal) ? $"{digest}  {file}" : l);
        File.WriteAllText(PathOf(manifest), string.Join('\n', lines));
    }

    private void Restore(string file, bool fixup)
    {
        File.WriteAllBytes(PathOf(file), pristine[file]);
        if (fixup)
        {
            File.WriteAllBytes(PathOf("manifest-sha256.txt"), pristine["manifest-sha256.txt"]);
            File.WriteAllBytes(PathOf("tagmanifest-sha256.txt"), pristine["tagmanifest-sha256.txt"]);
        }
    }

    private string PathOf(string relative) => Path.Combine(bag, relative.Replace('/', Path.DirectorySeparatorChar));

    public void Dispose()
    {
        holder.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
