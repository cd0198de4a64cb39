using System.Text;
using System.Text.Json;

namespace Amber.Benchmarks;

/// <summary>
/// The shared corpus split into its top-level conversation records: a JSON array's elements, a JSONL
/// file's lines, or a whole single-object JSON file. Only *.json and *.jsonl files are read.
/// </summary>
public sealed class Corpus
{
    /// <summary>The corpus's data files (*.json, *.jsonl) under <paramref name="directory"/>, in ordinal order: what the real importers read.</summary>
    public static List<string> DataFiles(string directory) => System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal).ToList();

    private Corpus(string directory, IReadOnlyList<string> files, IReadOnlyList<CorpusRecord> records)
    {
        Directory = directory;
        Files = files;
        Records = records;
    }

    /// <summary>The corpus folder (…/shared/corpus).</summary>
    public string Directory { get; }

    /// <summary>Full paths of the data files, in the order their records were taken.</summary>
    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<CorpusRecord> Records { get; }

    public long RawBytes => Records.Sum(r => (long)r.Bytes.Length);

    public long FileBytes => Files.Sum(f => new FileInfo(f).Length);

    public IEnumerable<string> Folders => Records.Select(r => r.Folder).Distinct(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="files"/> one after another into <paramref name="path"/> (the input of the zstd baselines).</summary>
    public static void Concatenate(IReadOnlyList<string> files, string path)
    {
        using var output = File.Create(path);
        foreach (var f in files)
        {
            using var input = File.OpenRead(f);
            input.CopyTo(output);
        }
    }

    /// <summary>The corpus's data files concatenated into <c>corpus.cat</c> in the work folder, the input of the CLI baselines.</summary>
    public static (List<string> Files, string Path, long Bytes) ConcatenatedDataFiles(BenchOptions options)
    {
        var files = DataFiles(options.CorpusDirectory);
        var path = System.IO.Path.Combine(options.WorkDirectory, "corpus.cat");
        Concatenate(files, path);
        return (files, path, new FileInfo(path).Length);
    }

    public static Corpus Load(string corpusDirectory)
    {
        var files = new List<string>();
        var records = new List<CorpusRecord>();
        foreach (var folder in System.IO.Directory.GetDirectories(corpusDirectory).Order(StringComparer.Ordinal))
        {
            var folderName = Path.GetFileName(folder);
            foreach (var file in System.IO.Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                var jsonl = name.EndsWith(".jsonl", StringComparison.Ordinal);
                if (!jsonl && !name.EndsWith(".json", StringComparison.Ordinal))
                {
                    continue;
                }

                files.Add(file);
                var bytes = System.IO.File.ReadAllBytes(file);
                var slices = jsonl ? SplitLines(bytes) : SplitJson(bytes, file);
                for (var i = 0; i < slices.Count; i++)
                {
                    records.Add(new CorpusRecord(folderName, name, i, slices[i], StringValues(slices[i].Span)));
                }
            }
        }

        if (records.Count == 0)
        {
            throw new InvalidOperationException($"{corpusDirectory}: no *.json or *.jsonl records found.");
        }

        return new Corpus(corpusDirectory, files, records);
    }

    /// <summary>Every string value (not property names) in document order, joined with "\n".</summary>
    public static string StringValues(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        var sb = new StringBuilder();
        var first = true;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                continue;
            }

            if (!first)
            {
                sb.Append('\n');
            }

            sb.Append(reader.GetString());
            first = false;
        }

        return sb.ToString();
    }

    /// <summary>The records of a JSON file: the elements of a top-level array, or the whole (trimmed) document.</summary>
    private static List<ReadOnlyMemory<byte>> SplitJson(byte[] bytes, string file)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read())
        {
            throw new FormatException($"{file}: empty JSON file.");
        }

        var list = new List<ReadOnlyMemory<byte>>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            list.Add(bytes.AsMemory(start, (int)reader.BytesConsumed - start));
            return list;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            list.Add(bytes.AsMemory(start, (int)reader.BytesConsumed - start));
        }

        return list;
    }

    /// <summary>The non-blank lines of a JSONL file, without their line ending.</summary>
    private static List<ReadOnlyMemory<byte>> SplitLines(byte[] bytes)
    {
        var list = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            var end = nl < 0 ? bytes.Length : nl;
            var len = end - start;
            if (len > 0 && bytes[end - 1] == (byte)'\r')
            {
                len--;
            }

            if (bytes.AsSpan(start, len).Trim(" \t"u8).Length > 0)
            {
                list.Add(bytes.AsMemory(start, len));
            }

            start = end + 1;
        }

        return list;
    }
}
